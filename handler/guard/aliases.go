package guard

import (
	"context"
	"sync"
	"time"
)

// describeTimeout bounds one DescribeUserPool read. The read runs apart from
// the invocation that started it, so a slow answer still fills the cache for
// the next one.
const describeTimeout = 3 * time.Second

// describeRetry is how long a failed read stands before it is tried again.
const describeRetry = time.Minute

// aliasCache holds each pool's alias attributes, read with DescribeUserPool on
// the first sign-up of the instance that names the pool. It reads lazily
// because the pool id arrives with the event: the function cannot be given it
// at init without a circular reference between the pool and the function.
type aliasCache struct {
	dir  AliasReader
	warn func(error) // told about a failed read, once per instance

	mu     sync.Mutex
	pools  map[string]*aliasEntry
	warned bool
}

type aliasEntry struct {
	done  chan struct{}
	attrs []string
	err   error
	until time.Time // a failed read is tried again after this
}

func newAliasCache(dir AliasReader, warn func(error)) *aliasCache {
	return &aliasCache{dir: dir, warn: warn, pools: map[string]*aliasEntry{}}
}

// get returns the pool's alias attributes. ok is false when they could not be
// read in time; the caller then checks every attribute.
func (c *aliasCache) get(ctx context.Context, poolID string) (attrs []string, ok bool) {
	c.mu.Lock()
	e := c.pools[poolID]
	if e != nil {
		select {
		case <-e.done:
			if e.err != nil && time.Now().After(e.until) {
				e = nil
			}
		default:
		}
	}
	if e == nil {
		e = &aliasEntry{done: make(chan struct{})}
		c.pools[poolID] = e
		go c.read(context.WithoutCancel(ctx), poolID, e)
	}
	c.mu.Unlock()
	select {
	case <-e.done:
		return e.attrs, e.err == nil
	case <-ctx.Done():
		return nil, false
	}
}

func (c *aliasCache) read(ctx context.Context, poolID string, e *aliasEntry) {
	ctx, cancel := context.WithTimeout(ctx, describeTimeout)
	defer cancel()
	attrs, err := c.dir.AliasAttributes(ctx, poolID)
	c.mu.Lock()
	e.attrs, e.err, e.until = attrs, err, time.Now().Add(describeRetry)
	first := err != nil && !c.warned
	if first {
		c.warned = true
	}
	c.mu.Unlock()
	close(e.done)
	if first && c.warn != nil {
		c.warn(err)
	}
}
