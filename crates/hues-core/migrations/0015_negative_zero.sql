-- A report made at latitude or longitude −0.0 was queued as "-0.0"; the server stored 0, so a
-- retry of the same report no longer matched and was refused with id_conflict, for good. The
-- device now queues 0 (normalise_coordinate): reports already queued that way are normalised,
-- and those refused for it go again (the server answers the retry with the report it has).
-- NewReport's JSON has latitude, then longitude, then created_at: each number ends with a comma,
-- and a quote inside a text is escaped, so these patterns match only the coordinates.
UPDATE reports SET delivery = 'saved', refused_code = NULL
 WHERE delivery = 'refused' AND refused_code = 'id_conflict'
   AND id IN (SELECT entity_id FROM outbox
               WHERE kind = 'report' AND failed_code = 'id_conflict'
                 AND (instr(payload, '"latitude":-0.0,') > 0 OR instr(payload, '"longitude":-0.0,') > 0));
UPDATE outbox SET failed_code = NULL, last_error = NULL, next_attempt_at = created_at
 WHERE kind = 'report' AND failed_code = 'id_conflict'
   AND (instr(payload, '"latitude":-0.0,') > 0 OR instr(payload, '"longitude":-0.0,') > 0);
UPDATE outbox
   SET payload = replace(replace(payload, '"latitude":-0.0,', '"latitude":0.0,'),
                         '"longitude":-0.0,', '"longitude":0.0,')
 WHERE kind = 'report'
   AND (instr(payload, '"latitude":-0.0,') > 0 OR instr(payload, '"longitude":-0.0,') > 0);
