package lab

import "slices"

// Servers returns the names of the registered protocols that have a server, in
// registration order: what the server rail lists and `serve --only` accepts.
func (r *Registry) Servers() []string {
	var names []string
	for _, p := range r.All() {
		if p.NewServer != nil {
			names = append(names, p.Name)
		}
	}
	return names
}

// WithNeeds returns names with the servers they need (Protocol.Needs) or are
// made of (Protocol.Parts), and the servers those need in turn, each once, in registration order; names the
// registry does not know follow, as given. neededBy maps each name added to the
// one that needs it, the nearest to names (breadth first); a name in names is
// never added, even when another needs it.
func (r *Registry) WithNeeds(names []string) (all []string, neededBy map[string]string) {
	neededBy = make(map[string]string)
	seen := make(map[string]bool, len(names))
	var queue []string
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			queue = append(queue, n)
		}
	}
	for i := 0; i < len(queue); i++ {
		p := r.Lookup(queue[i])
		if p == nil {
			continue
		}
		for _, need := range slices.Concat(p.Needs, p.Parts) {
			if !seen[need] {
				seen[need] = true
				neededBy[need] = p.Name
				queue = append(queue, need)
			}
		}
	}
	for _, p := range r.All() {
		if seen[p.Name] {
			all = append(all, p.Name)
			delete(seen, p.Name)
		}
	}
	for _, n := range queue {
		if seen[n] {
			all = append(all, n)
		}
	}
	return all, neededBy
}

// PartOf returns the name of the protocol whose server the server of name is
// part of (Protocol.Parts), or "" when it is a server of its own.
func (r *Registry) PartOf(name string) string {
	for _, p := range r.All() {
		if slices.Contains(p.Parts, name) {
			return p.Name
		}
	}
	return ""
}

// WithParts returns name and the servers that are part of its (Protocol.Parts).
func (r *Registry) WithParts(name string) []string {
	if p := r.Lookup(name); p != nil {
		return append([]string{name}, p.Parts...)
	}
	return []string{name}
}
