//! SQL fragments that several queries share, as macros so that every query
//! stays a `&'static str` literal (sqlx 0.9 refuses SQL built at run time).
//! Declared first in the crate, so every module sees them by name.

/// SQL for a full name as `domain::full_name` writes it ("Surname First
/// Patronymic"), of the rows aliased `$alias`, or of the only table queried.
macro_rules! full_name_sql {
    () => {
        "surname || ' ' || first_name || coalesce(' ' || patronymic, '')"
    };
    ($alias:literal) => {
        concat!(
            $alias,
            ".surname || ' ' || ",
            $alias,
            ".first_name || coalesce(' ' || ",
            $alias,
            ".patronymic, '')"
        )
    };
}

/// The columns a [`PersonRow`](super::PersonRow) reads, from `person p`.
macro_rules! person_columns {
    () => {
        "p.id, p.iin, p.surname, p.first_name, p.patronymic, p.birth_date, \
         p.sex, p.settlement, p.street, p.house, p.apartment, p.phone"
    };
}

/// "The attachment `$a` is in force on the date `$on`": begun on or before it
/// and not ended by it (an attachment ends at the start of its `ended_on`).
macro_rules! attachment_in_force {
    ($a:literal, $on:literal) => {
        concat!(
            $a,
            ".started_on <= ",
            $on,
            " AND (",
            $a,
            ".ended_on IS NULL OR ",
            $a,
            ".ended_on > ",
            $on,
            ")"
        )
    };
}

/// A kept number as `emhana_domain::numbering::display_number` writes it
/// ("2026/17", or "2026/2-17" in series 2), of the rows aliased `$a`
/// (1000000 is `numbering::PER_SERIES`; a test holds them together).
macro_rules! number_sql {
    ($a:literal) => {
        concat!(
            $a,
            ".year || '/' || CASE WHEN ",
            $a,
            ".number >= 1000000 THEN (",
            $a,
            ".number / 1000000) || '-' || (",
            $a,
            ".number % 1000000) ELSE ",
            $a,
            ".number END"
        )
    };
}

/// "The staff member `$s` holds one of `$roles`" (a quoted SQL list), first
/// role or not: a head who also sees patients is among the doctors.
macro_rules! has_role_sql {
    ($s:literal, $roles:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM staff_role r WHERE r.staff_id = ",
            $s,
            ".id AND r.role IN (",
            $roles,
            "))"
        )
    };
}

/// "The staff member `$s` serves the district `$d`", one of theirs or their first.
macro_rules! serves_district_sql {
    ($s:literal, $d:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM staff_district sd WHERE sd.staff_id = ",
            $s,
            ".id AND sd.district_id = ",
            $d,
            ")"
        )
    };
}

/// "The staff member `$s` works here on the day `$d`": from their first day
/// (`works_from`) to their last (`works_to`), either open.
macro_rules! works_on_sql {
    ($s:literal, $d:literal) => {
        concat!(
            "(",
            $s,
            ".works_from IS NULL OR ",
            $s,
            ".works_from <= ",
            $d,
            ") AND (",
            $s,
            ".works_to IS NULL OR ",
            $s,
            ".works_to >= ",
            $d,
            ")"
        )
    };
}

/// A random (version 4) UUID as text, made by SQLite, for rows written in
/// bulk (each row its own).
macro_rules! random_uuid_sql {
    () => {
        "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || \
         substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
    };
}
