-- The record of every channel, as the mediator keeps it. Portable like 0001: TEXT and
-- BIGINT columns with defaults, so that rows written before this migration read as
-- before.

-- `mediated`: the mediator's own channel, where it takes part; `reported`: talks between
-- parties that the mediator only hears of.
ALTER TABLE channels ADD COLUMN kind TEXT NOT NULL DEFAULT 'mediated';

-- When in the day (HH:MM, the local time of the place, or empty), where, and what came
-- of it.
ALTER TABLE meetings ADD COLUMN time TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN place TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN outcome TEXT NOT NULL DEFAULT '';

-- The party the speaker spoke for (empty: none given), when it was said (YYYY-MM-DD and
-- HH:MM or empty), whether only the mediator may read it (0/1), and when the mediator
-- removed it from the record (a removed statement is kept, and never shown again).
ALTER TABLE statements ADD COLUMN party TEXT NOT NULL DEFAULT '';
ALTER TABLE statements ADD COLUMN date TEXT NOT NULL DEFAULT '';
ALTER TABLE statements ADD COLUMN time TEXT NOT NULL DEFAULT '';
ALTER TABLE statements ADD COLUMN confidential BIGINT NOT NULL DEFAULT 0;
ALTER TABLE statements ADD COLUMN removed_ms BIGINT;

-- A statement logged before this migration was made on the day of its meeting.
UPDATE statements SET date = COALESCE((
    SELECT m.date FROM meetings m
    WHERE m.case_id = statements.case_id AND m.meeting_id = statements.meeting_id
), '');
