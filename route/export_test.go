package route

// Match exposes the route lookup to the tests: it returns the canonical string of the
// route that path selects first (the route without auth prefix when several share a
// node) and its parameters, or "" when none matches.
func (r *Registry) Match(path string) (string, []string) {
	var st matchState
	entries := r.lookupNth(path, 0, &st)
	if entries == nil {
		return "", nil
	}
	e := entries[0]
	params, _, ok := e.bind(&st)
	if !ok {
		return "", nil
	}
	return e.str, params
}

// Key returns the controller key of path on the route Match selects, or "".
func (r *Registry) Key(path string) string {
	var st matchState
	entries := r.lookupNth(path, 0, &st)
	if entries == nil {
		return ""
	}
	_, key, _ := entries[0].bind(&st)
	return key
}

// Matches returns the canonical strings of every route matching path, in precedence order.
func (r *Registry) Matches(path string) []string {
	var out []string
	var st matchState
	for k := 0; ; k++ {
		entries := r.lookupNth(path, k, &st)
		if entries == nil {
			return out
		}
		for _, e := range entries {
			out = append(out, e.str)
		}
	}
}

// MatchStatic is Match without returning anything, for the allocation test.
func (r *Registry) MatchStatic(path string) bool {
	var st matchState
	r.mu.RLock()
	entries := r.root.lookup(path, &st)
	r.mu.RUnlock()
	return entries != nil
}
