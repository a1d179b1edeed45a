-- The Fund's side of OSMS (issue 21), which the registry stands in for
-- until a gateway (ШЭП) connector reads the Fund itself: the payments into
-- the Fund and the categories the state pays for, as the Fund's files bring
-- them, and the minimum monthly wage of each year (reference data: the law
-- on the republican budget sets it; the arrears are 5 % of it a month).

-- One file from the Fund, loaded whole or not at all.
CREATE TABLE osms_import (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text        NOT NULL CHECK (kind IN ('payments', 'state_paid')),
    sha256      text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    lines       integer     NOT NULL CHECK (lines >= 0),
    imported_at timestamptz NOT NULL
);

-- A payment into the Fund, one line of the statement (seed 003 appendix 3).
CREATE TABLE osms_payment (
    -- the Fund's own reference of the payment: a file loaded again adds nothing
    fund_ref    text        PRIMARY KEY CHECK (length(fund_ref) BETWEEN 1 AND 64),
    iin         text        NOT NULL CHECK (iin ~ '^[0-9]{12}$'),
    paid_on     date        NOT NULL,
    amount_tiyn bigint      NOT NULL CHECK (amount_tiyn > 0),
    kind        text        NOT NULL CHECK (kind IN ('deduction', 'contribution')),
    -- the month paid for, as its first day
    period      date        NOT NULL CHECK (extract(day FROM period) = 1),
    -- the payer's BIN or IIN
    payer       text        NOT NULL CHECK (payer ~ '^[0-9]{12}$'),
    refund_tiyn bigint      CHECK (refund_tiyn > 0 AND refund_tiyn <= amount_tiyn),
    refunded_on date        CHECK (refunded_on >= paid_on),
    import_id   bigint      NOT NULL REFERENCES osms_import (id),
    CHECK ((refund_tiyn IS NULL) = (refunded_on IS NULL))
);
CREATE INDEX osms_payment_by_person ON osms_payment (iin, paid_on);

-- The state pays for the person as one of its categories over these days.
CREATE TABLE osms_state_paid (
    iin        text   NOT NULL CHECK (iin ~ '^[0-9]{12}$'),
    category   text   NOT NULL CHECK (category IN ('child', 'mother_of_many_children', 'pensioner', 'disabled',
                                                  'student', 'pregnant', 'child_care', 'unemployed', 'carer')),
    from_day   date   NOT NULL,
    until_day  date   CHECK (until_day >= from_day),
    import_id  bigint NOT NULL REFERENCES osms_import (id),
    PRIMARY KEY (iin, category, from_day)
);

-- The minimum monthly wage of a financial year, in tenge, and the law that set it.
CREATE TABLE minimum_wage (
    year   integer     PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
    tenge  bigint      NOT NULL CHECK (tenge > 0),
    source text        NOT NULL CHECK (length(source) BETWEEN 1 AND 300),
    set_at timestamptz NOT NULL
);

-- A PC's request for a person's OSMS data is logged and counted with its
-- person look-ups: what it asked for.
ALTER TABLE person_lookup ADD COLUMN what text NOT NULL DEFAULT 'person' CHECK (what IN ('person', 'osms'));
