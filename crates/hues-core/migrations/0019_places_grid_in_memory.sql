-- The grid walk reads the places from memory (`places::grid`): its covering index, a third of
-- a first sync's time, goes.
DROP INDEX places_walk;
