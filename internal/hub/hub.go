package hub

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Member is what the index holds: a client, compared by identity.
type Member interface {
	comparable
	ID() string
}

// Kind says which clients a Target names.
type Kind uint8

// The kinds of target.
const (
	All  Kind = iota // every client
	URL              // the clients connected to the URL Key
	Room             // the members of the rooms in Rooms, on the URL Scope only when it is set
	IDs              // the clients whose ids are listed in IDs
)

// Target names a set of clients declaratively, so that it can be resolved on any node.
type Target struct {
	Kind   Kind
	Key    string   // URL: the URL
	Rooms  []string // Room: the rooms; a member of several is named once
	Scope  string   // Room: only the members connected to this URL; "" for all
	IDs    []string // IDs: the clients' ids
	Except []string // never these clients, whatever the kind
}

// Hook is called when a room or a URL gains its first member (first is true) or loses
// its last. It runs under the index's lock of that key: it must return quickly and must
// not call back into the index.
type Hook func(key string, first bool)

const shardCount = 32 // a power of two

// Index is the sharded index of members. Its zero value is not usable: call New.
//
// Lock order: an id shard, then a room or URL shard; never the other way round, and
// never two shards of one kind at once.
type Index[M Member] struct {
	ids   [shardCount]idShard[M]
	rooms [shardCount]setShard[M]
	urls  [shardCount]setShard[M]
	n     atomic.Int64

	roomHook, urlHook Hook
}

type idShard[M Member] struct {
	mu sync.RWMutex
	m  map[string]*entry[M]
	_  [40]byte // keeps neighbouring shards' locks off one cache line
}

// find returns m's entry, if m itself (not only its id) is in the shard. The shard's
// lock is held.
func (s *idShard[M]) find(m M) *entry[M] {
	if e, ok := s.m[m.ID()]; ok && e.m == m {
		return e
	}
	return nil
}

type entry[M Member] struct {
	m     M
	url   string
	rooms map[string]struct{} // guarded by the id shard's lock
}

type setShard[M Member] struct {
	mu sync.RWMutex
	m  map[string]map[M]struct{}
	_  [40]byte
}

// New returns an empty index; roomHook and urlHook may be nil.
func New[M Member](roomHook, urlHook Hook) *Index[M] {
	x := &Index[M]{roomHook: roomHook, urlHook: urlHook}
	for i := range shardCount {
		x.ids[i].m = make(map[string]*entry[M])
		x.rooms[i].m = make(map[string]map[M]struct{})
		x.urls[i].m = make(map[string]map[M]struct{})
	}
	return x
}

// shard is FNV-1a of key, folded to a shard number.
func shard(key string) int {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int(h & (shardCount - 1))
}

// Add puts m, connected to url, in the index; with url "", m is in no URL until Bind.
// A second Add of the same id replaces it.
func (x *Index[M]) Add(m M, url string) {
	s := &x.ids[shard(m.ID())]
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.m[m.ID()]; ok {
		x.dropLocked(old)
	} else {
		x.n.Add(1)
	}
	s.m[m.ID()] = &entry[M]{m: m, url: url}
	if url != "" {
		x.urls[shard(url)].add(url, m, x.urlHook)
	}
}

// Bind puts m, added without a URL, in url's set, and reports whether it did.
func (x *Index[M]) Bind(m M, url string) bool {
	s := &x.ids[shard(m.ID())]
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.find(m)
	if e == nil || e.url != "" || url == "" {
		return false
	}
	e.url = url
	x.urls[shard(url)].add(url, m, x.urlHook)
	return true
}

// Remove takes m out of the index, its URL and all its rooms, and reports whether it
// was there.
func (x *Index[M]) Remove(m M) bool {
	s := &x.ids[shard(m.ID())]
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.find(m)
	if e == nil {
		return false
	}
	delete(s.m, m.ID())
	x.n.Add(-1)
	x.dropLocked(e)
	return true
}

// dropLocked removes e from its URL and rooms; its id shard's lock is held.
func (x *Index[M]) dropLocked(e *entry[M]) {
	if e.url != "" {
		x.urls[shard(e.url)].remove(e.url, e.m, x.urlHook)
	}
	for room := range e.rooms {
		x.rooms[shard(room)].remove(room, e.m, x.roomHook)
	}
	e.rooms = nil
}

func (s *setShard[M]) add(key string, m M, hook Hook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := s.m[key]
	if set == nil {
		set = make(map[M]struct{}, 4)
		s.m[key] = set
		if hook != nil {
			hook(key, true)
		}
	}
	set[m] = struct{}{}
}

func (s *setShard[M]) remove(key string, m M, hook Hook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := s.m[key]
	if _, ok := set[m]; !ok {
		return
	}
	delete(set, m)
	if len(set) == 0 {
		delete(s.m, key)
		if hook != nil {
			hook(key, false)
		}
	}
}

func (s *setShard[M]) collect(key string, dst []M) []M {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for m := range s.m[key] {
		dst = append(dst, m)
	}
	return dst
}

func (s *setShard[M]) len(key string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m[key])
}

// Len is the number of members.
func (x *Index[M]) Len() int { return int(x.n.Load()) }

// Get returns the member with id, if any.
func (x *Index[M]) Get(id string) (M, bool) {
	s := &x.ids[shard(id)]
	s.mu.RLock()
	defer s.mu.RUnlock()
	if e, ok := s.m[id]; ok {
		return e.m, true
	}
	var zero M
	return zero, false
}

// Join adds m to room and reports whether m is in the index (a member that has left
// the index never reappears in a room). Joining twice is joining once.
func (x *Index[M]) Join(m M, room string) bool {
	s := &x.ids[shard(m.ID())]
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.find(m)
	if e == nil {
		return false
	}
	if _, in := e.rooms[room]; in {
		return true
	}
	if e.rooms == nil {
		e.rooms = make(map[string]struct{}, 2)
	}
	e.rooms[room] = struct{}{}
	x.rooms[shard(room)].add(room, m, x.roomHook)
	return true
}

// Leave takes m out of room and reports whether it was a member.
func (x *Index[M]) Leave(m M, room string) bool {
	s := &x.ids[shard(m.ID())]
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.find(m)
	if e == nil {
		return false
	}
	if _, in := e.rooms[room]; !in {
		return false
	}
	delete(e.rooms, room)
	x.rooms[shard(room)].remove(room, m, x.roomHook)
	return true
}

// RoomsOf returns the rooms m is in, sorted.
func (x *Index[M]) RoomsOf(m M) []string {
	s := &x.ids[shard(m.ID())]
	s.mu.RLock()
	out := []string{}
	if e := s.find(m); e != nil {
		for r := range e.rooms {
			out = append(out, r)
		}
	}
	s.mu.RUnlock()
	slices.Sort(out)
	return out
}

// InRoom reports whether m is in room.
func (x *Index[M]) InRoom(m M, room string) bool {
	s := &x.ids[shard(m.ID())]
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.find(m)
	if e == nil {
		return false
	}
	_, in := e.rooms[room]
	return in
}

// RoomLen is the number of members in room.
func (x *Index[M]) RoomLen(room string) int { return x.rooms[shard(room)].len(room) }

// URLLen is the number of members connected to url.
func (x *Index[M]) URLLen(url string) int { return x.urls[shard(url)].len(url) }

// Rooms returns the names of the rooms that have members, sorted.
func (x *Index[M]) Rooms() []string {
	out := []string{}
	for i := range x.rooms {
		s := &x.rooms[i]
		s.mu.RLock()
		for r := range s.m {
			out = append(out, r)
		}
		s.mu.RUnlock()
	}
	slices.Sort(out)
	return out
}

// Collect appends the members t names to dst and returns it, in no particular order;
// each appears once.
func (x *Index[M]) Collect(t Target, dst []M) []M {
	start := len(dst)
	switch t.Kind {
	case All:
		for i := range x.ids {
			s := &x.ids[i]
			s.mu.RLock()
			for _, e := range s.m {
				dst = append(dst, e.m)
			}
			s.mu.RUnlock()
		}
	case URL:
		dst = x.urls[shard(t.Key)].collect(t.Key, dst)
	case Room:
		for _, room := range t.Rooms {
			dst = x.rooms[shard(room)].collect(room, dst)
		}
		if len(t.Rooms) > 1 {
			dst = dedupe(dst, start)
		}
		if t.Scope == "" {
			break
		}
		u := &x.urls[shard(t.Scope)]
		u.mu.RLock()
		on := u.m[t.Scope]
		dst = keepOnly(dst, start, func(m M) bool { _, ok := on[m]; return ok })
		u.mu.RUnlock()
	case IDs:
		for _, id := range t.IDs {
			if m, ok := x.Get(id); ok && !slices.Contains(dst[start:], m) {
				dst = append(dst, m)
			}
		}
	}
	if len(t.Except) == 0 {
		return dst
	}
	return keepOnly(dst, start, func(m M) bool { return !slices.Contains(t.Except, m.ID()) })
}

// keepOnly drops the members of dst[start:] that keep refuses, in place.
func keepOnly[M Member](dst []M, start int, keep func(M) bool) []M {
	n := start
	for _, m := range dst[start:] {
		if keep(m) {
			dst[n] = m
			n++
		}
	}
	clear(dst[n:])
	return dst[:n]
}

// dedupe drops the repeated members of dst[start:], in place.
func dedupe[M Member](dst []M, start int) []M {
	seen := make(map[M]struct{}, len(dst)-start)
	return keepOnly(dst, start, func(m M) bool {
		_, dup := seen[m]
		seen[m] = struct{}{}
		return !dup
	})
}

// Counts returns the number of members in total, per URL and per room.
func (x *Index[M]) Counts() (total int, urls, rooms map[string]int) {
	urls, rooms = make(map[string]int), make(map[string]int)
	for i := range x.urls {
		x.urls[i].sizes(urls)
		x.rooms[i].sizes(rooms)
	}
	return x.Len(), urls, rooms
}

// sizes adds each key's number of members to into.
func (s *setShard[M]) sizes(into map[string]int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for k, set := range s.m {
		into[k] = len(set)
	}
}
