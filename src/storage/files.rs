//! Uploaded photos and documents. Every file belongs to a school and is read through the same
//! scope rules as the school (out of scope → 404). The bytes live in `file_blobs` (variants
//! `main` and `thumb`), so a backup of the database is a backup of the evidence, and no file is
//! ever served from a path on disk.

use super::entity::file;
use crate::domain::ids::OrgId;
use crate::error::{FieldError, Result};
use sea_orm::prelude::*;

/// Most photos one step or item may carry.
pub const MAX_PHOTOS: usize = 20;

/// Checks that every id names an image of `school` (evidence must come from the same school).
/// Returns one field error under `field` when any does not; an empty list when all do.
pub(super) async fn check_photos(
    conn: &impl ConnectionTrait,
    school: OrgId,
    ids: &[i64],
    field: &str,
) -> Result<Vec<FieldError>> {
    let mut errs = Vec::new();
    if ids.len() > MAX_PHOTOS {
        errs.push(FieldError {
            field: field.into(),
            message: "err.file.too_many_photos".into(),
        });
        return Ok(errs);
    }
    if ids.is_empty() {
        return Ok(errs);
    }
    let found = file::Entity::find()
        .filter(file::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?;
    let ok = ids.iter().all(|id| {
        found
            .iter()
            .any(|f| f.id.0 == *id && f.school_id == school && f.kind == "image")
    });
    if !ok {
        errs.push(FieldError {
            field: field.into(),
            message: "err.file.not_a_photo_here".into(),
        });
    }
    Ok(errs)
}
