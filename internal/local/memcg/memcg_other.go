//go:build !linux

package memcg

import "errors"

// ErrUnavailable wraps every reason why no memory cgroup can be had.
var ErrUnavailable = errors.New("no cgroup")

// Parent is the memory cgroup in which a run makes its environments'.
type Parent struct{}

// Group is one environment's memory cgroup.
type Group struct{}

// RunEnv names the variable in which a run's init gives the run the name
// its memory cgroups carry.
const RunEnv = "AUTOCONFIRM_RUN_ID"

// Dir is none.
func (p *Parent) Dir() string { return "" }

// Find finds none outside Linux.
func Find(run string) (*Parent, error) { return nil, ErrUnavailable }

// FindPids finds none outside Linux.
func FindPids(run string) (*Parent, error) { return nil, ErrUnavailable }

// RemoveRun removes nothing.
func RemoveRun(run string) {}

// New makes none.
func (p *Parent) New(name string, hardLimit int64) (*Group, error) { return nil, ErrUnavailable }

// Add does nothing.
func (g *Group) Add(pid int) error { return ErrUnavailable }

// Held holds nothing.
func (g *Group) Held() (int64, error) { return 0, ErrUnavailable }

// OOMKills is none.
func (g *Group) OOMKills() int { return 0 }

// Tasks is none.
func (g *Group) Tasks() (int64, error) { return 0, ErrUnavailable }

// LimitTasks limits nothing.
func (g *Group) LimitTasks(n int64) error { return ErrUnavailable }

// Remove removes nothing.
func (g *Group) Remove() error { return nil }

// Within makes none.
func (p *Parent) Within(name string, limit int64) (*Parent, error) { return nil, ErrUnavailable }

// Reached is never.
func (p *Parent) Reached() int64 { return 0 }

// Room is unknown.
func (p *Parent) Room() (int64, error) { return 0, ErrUnavailable }

// Release removes nothing.
func (p *Parent) Release() error { return nil }
