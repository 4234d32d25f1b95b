//! Routes: Photos and documents: upload, read, thumbnails.

use super::{MEDIA_LIMIT, Table};
use crate::policy::Action::{FileUpload, FileView};
use crate::web::api::files;
use utoipa_axum::routes;

pub(super) fn register(t: &mut Table) {
    t.api_as(
        FileUpload,
        &[FileUpload],
        Some(MEDIA_LIMIT),
        routes!(files::upload),
    );
    t.api(FileView, routes!(files::get));
    t.api(FileView, routes!(files::thumb));
}
