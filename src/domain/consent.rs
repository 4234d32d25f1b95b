//! The legal basis of processing a pupil's data, and the guardian's consent per purpose
//! (T-PR-5; PIPL Art. 28, 29, 31; 未成年人保护法 Art. 72). A pupil under 14 is sensitive
//! data: it is processed for a purpose only under a statutory duty (the school's own
//! transport duty under 校车安全管理条例) or with the guardian's consent *for that purpose*;
//! consent for one purpose says nothing of another, and a withdrawn consent stops the
//! processing at once. Pure rules.

use crate::code_enum;

code_enum!(
    /// What a pupil's data is processed for: riding the route (listed, called at the stops,
    /// exported), and reaching the guardian by phone.
    ConsentPurpose, "consent_purpose", {
        BusTransport = "bus_transport",
        GuardianContact = "guardian_contact",
    }
);

code_enum!(
    /// Why a pupil's data may be processed: the school's statutory duty, or the guardian's
    /// consent (then per purpose).
    LegalBasis, "legal_basis", {
        StatutoryDuty = "statutory_duty",
        Consent = "consent",
    }
);

code_enum!(
    /// A consent step: the guardian gives it, or withdraws it.
    ConsentStep, "consent_step", {
        Give = "give",
        Withdraw = "withdraw",
    }
);

/// Whether a pupil's data may be processed for `purpose`: anyone 14 or older, or under a
/// statutory duty; a pupil under 14 whose basis is consent only with the guardian's consent
/// in force for that very purpose.
pub fn may_process(
    under_14: bool,
    basis: LegalBasis,
    purpose: ConsentPurpose,
    consents: &[ConsentPurpose],
) -> bool {
    !under_14 || basis == LegalBasis::StatutoryDuty || consents.contains(&purpose)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConsentPurpose::*;

    #[test]
    fn a_child_under_14_on_consent_is_processed_only_for_the_purposes_consented_to() {
        let consent = LegalBasis::Consent;
        assert!(!may_process(true, consent, BusTransport, &[]));
        assert!(!may_process(
            true,
            consent,
            BusTransport,
            &[GuardianContact]
        ));
        assert!(may_process(true, consent, BusTransport, &[BusTransport]));
        assert!(!may_process(
            true,
            consent,
            GuardianContact,
            &[BusTransport]
        ));
        // A statutory duty, or a pupil of 14 or older, needs no consent.
        assert!(may_process(
            true,
            LegalBasis::StatutoryDuty,
            BusTransport,
            &[]
        ));
        assert!(may_process(false, consent, GuardianContact, &[]));
    }
}
