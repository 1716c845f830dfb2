package targets

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/autoconfirm/autoconfirm/presignup"
)

// UserPrefix starts the username of every user a live run creates, so that
// the cleanup command can find leftovers.
const UserPrefix = "autoconfirm-test-"

// Namer makes each live run's data unique, and each scenario's data
// consistent with itself: the same fixture value maps to the same test value
// within a scenario, so alias scenarios still collide with themselves.
type Namer struct {
	run string
	// seq numbers the run's values; runs made with Beside share one.
	seq *sequence

	mu       sync.Mutex
	scenario int
	// taken, when set, says whether a number is already held in the pool,
	// by another run say; such a number is passed over.
	taken func(phone string) bool
	// shaped keeps each value's shape (KeepShape).
	shaped bool
	// byKey holds the data of each keyed sign-up (ScenarioFor).
	byKey map[string]*ScenarioData
}

// sequence numbers the values of one run, or of runs side by side on one
// pool: no two of its values are alike.
type sequence struct {
	mu sync.Mutex
	// start is where the phone numbers begin, at random among the
	// fictional numbers, so that concurrent runs on one pool rarely meet.
	start          int
	phones, emails int
}

// next returns the next phone number's place, counted from start, modulo m.
func (q *sequence) next(m int) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := (q.start + q.phones) % m
	q.phones++
	return k
}

// KeepShape makes the values of a pool that sends nothing to anyone (the
// local pool) keep their shape: an email address keeps its domain and gets
// no "+", a phone number keeps its country and all but its last four
// digits. A handler with a rule on domains, "+" addressing or countries is
// then judged on what its users type (red team round 22). A real pool
// would text a real number, so live runs use fictional ones.
func (n *Namer) KeepShape() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.shaped = true
}

// Shaped says whether the run keeps each value's shape.
func (n *Namer) Shaped() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.shaped
}

// fictionalPhones is how many +1 NPA 555-01XX numbers there are: 800 area
// codes (200-999) times 100.
const fictionalPhones = 800 * 100

// SetTaken sets the check a live target makes before a run uses a phone
// number.
func (n *Namer) SetTaken(f func(phone string) bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.taken = f
}

// runIDPattern is what a run id may be: it goes into usernames and email
// addresses, and it must not differ from another only in case.
var runIDPattern = regexp.MustCompile(`^[a-z0-9]{1,16}$`)

// NewNamer starts a run. An empty id picks a random one.
func NewNamer(runID string) (*Namer, error) {
	if runID == "" {
		b := make([]byte, 3)
		rand.Read(b)
		runID = hex.EncodeToString(b)
	}
	if !runIDPattern.MatchString(runID) {
		return nil, fmt.Errorf("the run id %q is not valid: use 1 to 16 lowercase letters and digits, different for every run that may overlap another", runID)
	}
	b := make([]byte, 4)
	rand.Read(b)
	return &Namer{run: runID, seq: &sequence{start: int(binary.BigEndian.Uint32(b) % fictionalPhones)}}, nil
}

// Beside starts a run beside n on the same pool, at the same time: its own
// usernames, its values numbered in n's sequence and kept in shape as n's
// are, so that the two runs' values never meet.
func (n *Namer) Beside() (*Namer, error) {
	m, err := NewNamer("")
	if err != nil {
		return nil, err
	}
	m.seq, m.shaped = n.seq, n.Shaped()
	return m, nil
}

// RunID is the run's id, part of every username it creates.
func (n *Namer) RunID() string { return n.run }

// Prefix is the username prefix of this run.
func (n *Namer) Prefix() string { return UserPrefix + n.run + "-" }

// Scenario returns the data of a new scenario.
func (n *Namer) Scenario() *ScenarioData {
	return n.ScenarioFor("")
}

// ScenarioFor returns the data of the sign-up key names: the same as the
// last time it was sent, so that a handler that decides on the values
// decides the same again (red team round 22: diff's resends got other
// values, and a deterministic handler was called nondeterministic); new
// data for an empty key.
func (n *Namer) ScenarioFor(key string) *ScenarioData {
	n.mu.Lock()
	defer n.mu.Unlock()
	if d, ok := n.byKey[key]; ok && key != "" {
		return d
	}
	n.scenario++
	d := &ScenarioData{namer: n, id: n.scenario, values: map[string]string{}, numbers: map[string]int{}}
	if key != "" {
		if n.byKey == nil {
			n.byKey = map[string]*ScenarioData{}
		}
		n.byKey[key] = d
	}
	return d
}

// phone returns the run's next fictional number, +1 NPA 555-01XX, counting
// up from the run's random start, and passing over a number the pool says is
// taken (a few at most: past that the pool's answer is not to be trusted).
func (n *Namer) phone() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	for tries := 0; ; tries++ {
		k := n.seq.next(fictionalPhones)
		v := fmt.Sprintf("+1%03d55501%02d", 200+k/100, k%100)
		if n.taken == nil || tries == 10 || !n.taken(v) {
			return v
		}
	}
}

// letters spells s's digits as letters (0 as g … 9 as p, past hex's a-f,
// so that no two run ids spell alike), for an address's local part that a
// rule may hold to letters.
func letters(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= '0' && c <= '9' {
			b[i] = 'g' + c - '0'
		}
	}
	return string(b)
}

// keptEmail is v made this run's own with its length and its characters'
// kinds kept (red team round 24: a 64-character local part grew past RFC
// 5321's limit, and a numeric one got letters). The last six letters and
// digits of its local part, or as many as it has, spell the run's next
// number, letter for letter in the same case and digit for digit. Values
// that differ only in case get the same number, so they still differ only
// in case. A local part too short to spell the number gets it spelt in
// letters at its end instead.
func (d *ScenarioData) keptEmail(v string) string {
	low := strings.ToLower(v)
	k, ok := d.numbers[low]
	if !ok {
		k = d.namer.nextEmail()
		d.numbers[low] = k
	}
	at := strings.LastIndexByte(v, '@')
	if local, ok := spell(v[:at], k); ok {
		return local + v[at:]
	}
	return v[:at] + letters(fmt.Sprintf("%ss%d", d.namer.run, d.id)) + v[at:]
}

func (n *Namer) nextEmail() int {
	n.seq.mu.Lock()
	defer n.seq.mu.Unlock()
	n.seq.emails++
	return n.seq.emails
}

// spell writes k over the last six ASCII letters and digits of local, as
// digits in base 10 and letters in base 26, the last the least; ok is false
// when they cannot hold k. Two locals alike but for those places, or two
// numbers, never spell alike.
func spell(local string, k int) (string, bool) {
	b := []byte(local)
	for i, n := len(b)-1, 0; i >= 0 && n < 6; i-- {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			b[i], k = '0'+byte(k%10), k/10
		case c >= 'a' && c <= 'z':
			b[i], k = 'a'+byte(k%26), k/26
		case c >= 'A' && c <= 'Z':
			b[i], k = 'A'+byte(k%26), k/26
		default:
			continue
		}
		n++
	}
	return string(b), k == 0
}

// samePrefix is v with its last four digits the run's next of 10,000,
// from the run's random start, passing over a number the pool holds.
func (n *Namer) samePrefix(v string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	for tries := 0; ; tries++ {
		k := n.seq.next(10000)
		m := fmt.Sprintf("%s%04d", v[:len(v)-4], k)
		if n.taken == nil || tries == 10 || !n.taken(m) {
			return m
		}
	}
}

// ScenarioData maps one scenario's fixture values to unique test values.
type ScenarioData struct {
	namer  *Namer
	id     int
	mu     sync.Mutex
	values map[string]string
	// numbers holds the number each address got, by its lower case.
	numbers map[string]int
}

// Username returns the username of the scenario's user called role.
func (d *ScenarioData) Username(role string) string {
	return fmt.Sprintf("%ss%d-%s", d.namer.Prefix(), d.id, role)
}

// Value maps an attribute value. Emails get a +<run>s<scenario> tag, valid
// phone numbers a fictional 555-01xx number, or, keeping their shape, a
// <run>s<scenario> suffix in letters on the local part and other last four
// digits;
// anything else (empty, invalid) is kept, so that it stays as invalid as
// the scenario meant it.
func (d *ScenarioData) Value(attr, v string) string {
	if attr != presignup.AttrEmail && attr != presignup.AttrPhone {
		return v
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	key := attr + "\x00" + v
	if m, ok := d.values[key]; ok {
		return m
	}
	m := v
	shaped := d.namer.Shaped()
	switch {
	case attr == presignup.AttrEmail && presignup.PlausibleEmail(v):
		at := strings.LastIndexByte(v, '@')
		m = fmt.Sprintf("%s+%ss%d%s", v[:at], d.namer.run, d.id, v[at:])
		if shaped {
			m = d.keptEmail(v)
		}
	case attr == presignup.AttrPhone && presignup.ValidE164(v) && shaped && len(v) >= 9:
		m = d.namer.samePrefix(v)
	case attr == presignup.AttrPhone && presignup.ValidE164(v):
		m = d.namer.phone()
	}
	d.values[key] = m
	return m
}

// Redact replaces every test value of the scenario with a masked form.
func (d *ScenarioData) Redact(s string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	for key, v := range d.values {
		if v == "" {
			continue
		}
		if strings.HasPrefix(key, presignup.AttrEmail) {
			s = strings.ReplaceAll(s, v, presignup.MaskEmail(v))
		} else {
			s = strings.ReplaceAll(s, v, presignup.MaskPhone(v))
		}
	}
	return s
}
