//! Routes: Photos and documents: upload, read, thumbnails.

use super::{Feature, audit_codes, no_pages, nothing};
use super::{MEDIA_LIMIT, Table};
use crate::policy::Action::{FileUpload, FileView};
use crate::storage::files::FileAudit;
use crate::web::api::files;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "files",
    api: register,
    pages: no_pages,
    menu: &[],
    audit: audit_codes::<FileAudit>,
    notices: nothing,
    tables: &["files", "file_blobs"],
};

fn register(t: &mut Table) {
    t.api_as(
        FileUpload,
        &[FileUpload],
        Some(MEDIA_LIMIT),
        routes!(files::upload),
    );
    t.api(FileView, routes!(files::get));
    t.api(FileView, routes!(files::thumb));
}
