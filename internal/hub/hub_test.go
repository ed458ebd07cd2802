package hub

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type member struct{ id string }

func (m *member) ID() string { return m.id }

func ids(ms []*member) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.id)
	}
	slices.Sort(out)
	return out
}

func TestCollect(t *testing.T) {
	x := New[*member](nil, nil)
	a, b, c, d := &member{"a"}, &member{"b"}, &member{"c"}, &member{"d"}
	x.Add(a, "/chat/1/")
	x.Add(b, "/chat/1/")
	x.Add(c, "/chat/2/")
	x.Add(d, "/news/")
	require.True(t, x.Join(a, "lobby"))
	require.True(t, x.Join(c, "lobby"))
	require.True(t, x.Join(d, "vip"))

	for _, tc := range []struct {
		name string
		t    Target
		want []string
	}{
		{"all", Target{Kind: All}, []string{"a", "b", "c", "d"}},
		{"all except", Target{Kind: All, Except: []string{"b", "d"}}, []string{"a", "c"}},
		{"url", Target{Kind: URL, Key: "/chat/1/"}, []string{"a", "b"}},
		{"url except", Target{Kind: URL, Key: "/chat/1/", Except: []string{"a"}}, []string{"b"}},
		{"unknown url", Target{Kind: URL, Key: "/x/"}, []string{}},
		{"room", Target{Kind: Room, Rooms: []string{"lobby"}}, []string{"a", "c"}},
		{"room on one url", Target{Kind: Room, Rooms: []string{"lobby"}, Scope: "/chat/2/"}, []string{"c"}},
		{"room except", Target{Kind: Room, Rooms: []string{"lobby"}, Except: []string{"c"}}, []string{"a"}},
		{"rooms union", Target{Kind: Room, Rooms: []string{"lobby", "vip", "lobby"}}, []string{"a", "c", "d"}},
		{"ids", Target{Kind: IDs, IDs: []string{"d", "a", "a", "zz"}}, []string{"a", "d"}},
		{"ids except", Target{Kind: IDs, IDs: []string{"d", "a"}, Except: []string{"d"}}, []string{"a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, ids(x.Collect(tc.t, nil)))
		})
	}
	assert.Equal(t, 4, x.Len())
	assert.Equal(t, 2, x.RoomLen("lobby"))
	assert.Equal(t, 2, x.URLLen("/chat/1/"))
	assert.Equal(t, []string{"lobby", "vip"}, x.Rooms())
	assert.Equal(t, []string{"lobby"}, x.RoomsOf(a))
	total, urls, rooms := x.Counts()
	assert.Equal(t, 4, total)
	assert.Equal(t, map[string]int{"/chat/1/": 2, "/chat/2/": 1, "/news/": 1}, urls)
	assert.Equal(t, map[string]int{"lobby": 2, "vip": 1}, rooms)
	assert.True(t, x.InRoom(c, "lobby"))

	require.True(t, x.Remove(a))
	assert.False(t, x.Remove(a), "twice")
	assert.False(t, x.Join(a, "lobby"), "a removed member never reappears in a room")
	assert.Equal(t, []string{"c"}, ids(x.Collect(Target{Kind: Room, Rooms: []string{"lobby"}}, nil)))
	assert.True(t, x.Leave(c, "lobby"))
	assert.False(t, x.Leave(c, "lobby"))
	assert.Equal(t, []string{"vip"}, x.Rooms(), "an empty room is freed")
	assert.False(t, x.Remove(&member{"b"}), "same id, another member")

	e := &member{"e"}
	x.Add(e, "")
	assert.Empty(t, ids(x.Collect(Target{Kind: URL, Key: "/late/"}, nil)), "not bound yet")
	assert.True(t, x.Bind(e, "/late/"))
	assert.False(t, x.Bind(e, "/other/"), "bound once")
	assert.Equal(t, []string{"e"}, ids(x.Collect(Target{Kind: URL, Key: "/late/"}, nil)))
}

func TestHooks(t *testing.T) {
	var events []string
	x := New[*member](
		func(room string, first bool) { events = append(events, fmt.Sprint("room ", room, " ", first)) },
		func(url string, first bool) { events = append(events, fmt.Sprint("url ", url, " ", first)) },
	)
	a, b := &member{"a"}, &member{"b"}
	x.Add(a, "/u/")
	x.Add(b, "/u/")
	x.Join(a, "r")
	x.Join(b, "r")
	x.Leave(a, "r")
	x.Remove(a)
	x.Remove(b)
	assert.Equal(t, []string{
		"url /u/ true",
		"room r true",
		"url /u/ false",
		"room r false",
	}, events, "first member in, last member out, once each")
}

func TestConcurrent(t *testing.T) {
	var mu sync.Mutex
	live := map[string]int{}
	x := New[*member](func(room string, first bool) {
		mu.Lock()
		if first {
			live[room]++
		} else {
			live[room]--
		}
		mu.Unlock()
	}, nil)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				m := &member{fmt.Sprint(g, "-", i)}
				x.Add(m, fmt.Sprint("/u/", i%3, "/"))
				x.Join(m, fmt.Sprint("room", i%5))
				_ = x.Collect(Target{Kind: Room, Rooms: []string{"room1"}}, nil)
				x.Remove(m)
			}
		})
	}
	wg.Wait()
	assert.Zero(t, x.Len())
	assert.Empty(t, x.Rooms())
	for room, n := range live {
		assert.Zero(t, n, "room %s: hooks balance", room)
	}
}

// index is what the benchmark drives: the sharded Index, or oneLock, the same maps (ids,
// URLs, rooms) behind one RWMutex, as the hub kept them before.
type index interface {
	Add(m *member, url string)
	Join(m *member, room string) bool
	Collect(t Target, dst []*member) []*member
	Remove(m *member) bool
}

type oneLock struct {
	mu    sync.RWMutex
	ids   map[string]*member
	urls  map[string]map[*member]struct{}
	urlOf map[*member]string
	rooms map[string]map[*member]struct{}
	of    map[*member][]string
}

func newOneLock() *oneLock {
	return &oneLock{ids: map[string]*member{}, urls: map[string]map[*member]struct{}{}, urlOf: map[*member]string{},
		rooms: map[string]map[*member]struct{}{}, of: map[*member][]string{}}
}

// Add does the same work as Index.Add: the id, and the URL's set.
func (o *oneLock) Add(m *member, url string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ids[m.id] = m
	set := o.urls[url]
	if set == nil {
		set = map[*member]struct{}{}
		o.urls[url] = set
	}
	set[m] = struct{}{}
	o.urlOf[m] = url
}

func (o *oneLock) Join(m *member, room string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	set := o.rooms[room]
	if set == nil {
		set = map[*member]struct{}{}
		o.rooms[room] = set
	}
	set[m] = struct{}{}
	o.of[m] = append(o.of[m], room)
	return true
}

func (o *oneLock) Collect(t Target, dst []*member) []*member {
	o.mu.RLock()
	defer o.mu.RUnlock()
	for m := range o.rooms[t.Rooms[0]] {
		dst = append(dst, m)
	}
	return dst
}

func (o *oneLock) Remove(m *member) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, r := range o.of[m] {
		delete(o.rooms[r], m)
		if len(o.rooms[r]) == 0 {
			delete(o.rooms, r)
		}
	}
	delete(o.of, m)
	delete(o.ids, m.id)
	url := o.urlOf[m]
	delete(o.urls[url], m)
	if len(o.urls[url]) == 0 {
		delete(o.urls, url)
	}
	delete(o.urlOf, m)
	return true
}

// BenchmarkIndexParallel joins, sends to a room and leaves from every processor at
// once, on the sharded index and on one lock; run it with -cpu 1,2,4 to see which
// scales:
//
//	go test -run '^$' -bench IndexParallel -cpu 1,2,4 ./internal/hub
func BenchmarkIndexParallel(b *testing.B) {
	for _, impl := range []struct {
		name string
		x    func() index
	}{{"sharded", func() index { return New[*member](nil, nil) }}, {"onelock", func() index { return newOneLock() }}} {
		b.Run(impl.name, func(b *testing.B) { benchIndex(b, impl.x()) })
	}
}

func benchIndex(b *testing.B, x index) {
	for i := range 10000 {
		m := &member{fmt.Sprint("resident", i)}
		x.Add(m, fmt.Sprint("/u/", i%100, "/"))
		x.Join(m, fmt.Sprint("room", i%100))
	}
	var next sync.Mutex
	g := 0
	b.RunParallel(func(pb *testing.PB) {
		next.Lock()
		g++
		me := g
		next.Unlock()
		buf := make([]*member, 0, 256)
		url := fmt.Sprint("/u/", me, "/") // each goroutine's clients on a URL of their own, as on a real server
		rooms := make([]string, 100)
		for k := range rooms {
			rooms[k] = fmt.Sprint("room", k)
		}
		prefix := fmt.Sprint(me, "-")
		i := 0
		for pb.Next() {
			m := &member{prefix + strconv.Itoa(i)}
			room := rooms[(me*31+i)%100]
			x.Add(m, url)
			x.Join(m, room)
			buf = x.Collect(Target{Kind: Room, Rooms: []string{room}}, buf[:0])
			x.Remove(m)
			i++
		}
	})
}
