//! Background jobs kept in the database: reminders, overdue notices, escalation to bureau
//! supervision.
