//! Clinics, districts and staff roles (DOMAIN.md §1).

text_enum!(
    /// The kinds of PHC organization.
    ClinicKind {
        Polyclinic => "polyclinic",
        GpPractice => "gp_practice",
        RuralOutpatientClinic => "rural_outpatient_clinic",
        FeldsherPost => "feldsher_post",
        MedicalPoint => "medical_point",
    }
);

text_enum!(
    /// The kinds of district (участок).
    DistrictKind {
        Therapeutic => "therapeutic",
        Pediatric => "pediatric",
        GeneralPractice => "general_practice",
    }
);

text_enum!(
    /// What a member of staff does at the workstation.
    StaffRole {
        Registrar => "registrar",
        DistrictNurse => "district_nurse",
        Feldsher => "feldsher",
        DistrictDoctor => "district_doctor",
        Head => "head",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_text() {
        for kind in ClinicKind::ALL {
            assert_eq!(ClinicKind::parse(kind.as_str()), Some(*kind));
        }
        for kind in DistrictKind::ALL {
            assert_eq!(DistrictKind::parse(kind.as_str()), Some(*kind));
        }
        for role in StaffRole::ALL {
            assert_eq!(StaffRole::parse(role.as_str()), Some(*role));
        }
        assert_eq!(StaffRole::parse("surgeon"), None);
    }
}
