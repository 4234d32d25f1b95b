//! Routes: Photos and documents: upload, read, thumbnails.

use super::Table;
use crate::policy::Action::{FileUpload, FileView};
use crate::web::api::files;
use axum::http::Method as M;

pub(super) fn register(t: &mut Table) {
    t.media(M::POST, "/api/v1/files", FileUpload, files::upload);
    t.add(M::GET, "/api/v1/files/{id}", FileView, files::get);
    t.add(M::GET, "/api/v1/files/{id}/thumb", FileView, files::thumb);
}
