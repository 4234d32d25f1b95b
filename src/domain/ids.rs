//! Typed identifiers: an `OrgId` cannot be passed where a `UserId` is expected.

macro_rules! id_type {
    ($($name:ident),+) => {$(
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, sea_orm::DeriveValueType,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                <i64 as utoipa::PartialSchema>::schema()
            }
        }
        impl utoipa::ToSchema for $name {}
    )+};
}

id_type!(
    OrgId,
    UserId,
    PersonId,
    ZoneId,
    AuditId,
    CatalogId,
    CatalogItemId,
    RiskPointId,
    AssessmentId,
    FileId,
    HazardId,
    HazardEventId,
    InspectionId,
    InspectionItemId,
    CampaignId,
    CrossAssignmentId,
    JobId,
    NotificationId,
    DeviceId,
    DeviceRejectionId,
    DeviceEventId,
    WarningId,
    WarningEventId,
    WarningRuleId,
    DrillId,
    DutyPeriodId,
    DutyReportId,
    DutyCheckInId,
    DutySpotCheckId,
    IncidentId,
    IncidentReportId,
    IncidentReceiptId
);

// Emergency plans.
id_type!(PlanId, PlanEventId, PlanReviewerId, ExpertId);

// The work plan and its evidence.
id_type!(
    WorkPlanId,
    PlanItemId,
    ObligationId,
    MeetingId,
    TrainingId,
    ActivityId
);

// Governance actions, star ratings, the security register.
id_type!(GovernanceActionId, EquipmentId);

// School buses.
id_type!(
    BusVehicleId,
    BusPermitId,
    BusSignId,
    BusDriverId,
    BusAttendantId,
    BusRouteId,
    BusRiderId,
    BusTripId,
    PiiGrantId
);
