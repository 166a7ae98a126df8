-- What the feeds need of an alert, kept when it is posted so that sync pages and the Atom feed
-- never parse XML again: its `AlertRecord` as JSON (its state is the `state` column's), and
-- whether it is published (1: a Public alert; 0: kept but never sent nor shown). Both are NULL
-- for alerts stored before: the server fills them from the XML at start-up, before it serves
-- (SQL cannot parse XML), and until then such an alert is not published.
ALTER TABLE alerts ADD COLUMN record TEXT;
ALTER TABLE alerts ADD COLUMN published INTEGER;
