//! Database rows. Visible only inside `storage`: the web layer never sees a row, only the views
//! built from it, and cannot build a query.

pub(in crate::storage) mod audit_log;
pub(in crate::storage) mod campaign;
pub(in crate::storage) mod campaign_school;
pub(in crate::storage) mod counter;
pub(in crate::storage) mod cross_assignment;
pub(in crate::storage) mod device;
pub(in crate::storage) mod device_event;
pub(in crate::storage) mod device_rejection;
pub(in crate::storage) mod device_rule_state;
pub(in crate::storage) mod file;
pub(in crate::storage) mod file_blob;
pub(in crate::storage) mod hazard;
pub(in crate::storage) mod hazard_count;
pub(in crate::storage) mod hazard_event;
pub(in crate::storage) mod inspection;
pub(in crate::storage) mod inspection_item;
pub(in crate::storage) mod job;
pub(in crate::storage) mod notification;
pub(in crate::storage) mod notification_channel;
pub(in crate::storage) mod notification_delivery;
pub(in crate::storage) mod org;
pub(in crate::storage) mod person;
pub(in crate::storage) mod risk_assessment;
pub(in crate::storage) mod risk_catalog;
pub(in crate::storage) mod risk_catalog_history;
pub(in crate::storage) mod risk_catalog_item;
pub(in crate::storage) mod risk_point;
pub(in crate::storage) mod session;
pub(in crate::storage) mod user;
pub(in crate::storage) mod warning;
pub(in crate::storage) mod warning_event;
pub(in crate::storage) mod warning_rule;
pub(in crate::storage) mod zone;
