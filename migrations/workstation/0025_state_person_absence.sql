-- "No data in ГБД ФЛ" (seed 002, process 4: «сообщение о невозможности
-- получения данных в связи с отсутствием данных получателя в ГБД ФЛ»): the
-- state person database answered it holds no one of this IIN. A
-- registration of the IIN is refused with the seed's message until a later
-- look-up finds the person (the answer replaces this one).
CREATE TABLE state_person_absence (
    iin       TEXT PRIMARY KEY,
    looked_at TEXT NOT NULL
);
