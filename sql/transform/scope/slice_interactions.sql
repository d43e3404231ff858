-- model: slice_interactions
-- layer: scope
-- runs: slice+all
-- target: _T_IXN
--
-- The interactions of one slice ($slice), or, run once more after the slices, all of the cycle's
-- ($slice NULL: for the models that read what the cycle's interactions hold, such as discards).
SELECT ROOT, INTERACTION_ID FROM _T_IXN_ALL WHERE $slice IS NULL OR SLICE = $slice
