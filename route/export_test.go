package route

// Match exposes the route lookup to the tests: it returns the canonical string of the
// route that path selects (the route without auth prefix when several match) and its
// parameters, or "" when none matches.
func (r *Registry) Match(path string) (string, []string) {
	var st matchState
	r.mu.RLock()
	entries := r.root.lookup(path, &st)
	r.mu.RUnlock()
	if entries == nil {
		return "", nil
	}
	e := entries[0]
	params, ok := e.paramValues(&st)
	if !ok {
		return "", nil
	}
	return e.str, params
}

// MatchStatic is Match without returning anything, for the allocation test.
func (r *Registry) MatchStatic(path string) bool {
	var st matchState
	r.mu.RLock()
	entries := r.root.lookup(path, &st)
	r.mu.RUnlock()
	return entries != nil
}

// Normalize exposes normalize.
var Normalize = normalize
