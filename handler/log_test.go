package handler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/handler/guard"
	"github.com/autoconfirm/autoconfirm/presignup"
)

// personal collects the values in an event that must never reach a log: every
// user attribute and the username.
func personal(event []byte) []string {
	var out []string
	add := func(v string) {
		if v = strings.TrimSpace(v); len(v) >= 4 {
			out = append(out, v)
		}
	}
	add(gjson.GetBytes(event, "userName").Str)
	ua := gjson.GetBytes(event, "request.userAttributes")
	if !ua.IsObject() {
		return out
	}
	ua.ForEach(func(_, v gjson.Result) bool {
		if v.Type == gjson.String {
			add(v.Str)
		}
		return true
	})
	return out
}

// TestLogsCarryNoPersonalData runs every fixture through the handler under
// each lookup outcome, with the most verbose log, and fails if any raw value
// appears in it.
func TestLogsCarryNoPersonalData(t *testing.T) {
	var files []string
	filepath.WalkDir("../fixtures", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".json") && !strings.Contains(p, "/pool/") {
			files = append(files, p)
		}
		return err
	})
	if len(files) < 40 {
		t.Fatalf("found only %d fixtures", len(files))
	}
	dirs := map[string]struct {
		mode LookupMode
		dir  guard.Directory
	}{
		"clean":        {LookupAdminGetUser, guard.Nobody()},
		"clean search": {LookupListUsers, guard.Nobody()},
		// Errors that quote the value or the filter, the worst case.
		"failing": {LookupAdminGetUser, &guard.Funcs{Get: func(_ context.Context, _, name string) (guard.User, error) {
			return guard.User{}, errors.New("InvalidParameterException: no user " + name)
		}}},
		"failing search": {LookupListUsers, &guard.Funcs{List: func(_ context.Context, _, filter, _ string) (guard.Page, error) {
			return guard.Page{}, errors.New("InvalidParameterException: cannot parse " + filter)
		}}},
		"conflict": {LookupAdminGetUser, &guard.Funcs{Get: func(_ context.Context, _, name string) (guard.User, error) {
			attr := presignup.AttrEmail
			if strings.HasPrefix(name, "+") {
				attr = presignup.AttrPhone
			}
			return guard.VerifiedHolder("holder", attr, name), nil
		}}},
		"conflict search": {LookupListUsers, &guard.Funcs{List: func(_ context.Context, _, filter, _ string) (guard.Page, error) {
			attr, value, _ := strings.Cut(filter, ` = "`)
			value = strings.ReplaceAll(strings.TrimSuffix(value, `"`), `\"`, `"`)
			return guard.Page{Users: []guard.User{guard.VerifiedHolder("holder", attr, value)}}, nil
		}}},
	}
	lines := 0
	for name, d := range dirs {
		for _, policy := range []Policy{PolicySkipVerify, PolicyReject} {
			var buf bytes.Buffer
			cfg := DefaultConfig()
			cfg.Policy, cfg.Lookup = policy, d.mode
			h, err := New(cfg, d.dir, slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				event, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				buf.Reset()
				h.Invoke(context.Background(), event)
				log := buf.String()
				if strings.Count(log, "\n") != 1 {
					t.Errorf("%s/%s/%s: want exactly one log line, got %q", name, policy, f, log)
				}
				lines++
				var rec map[string]any
				if err := json.Unmarshal([]byte(log), &rec); err != nil {
					t.Errorf("%s: log line is not JSON: %v", f, err)
				}
				for _, k := range []string{"triggerSource", "decision", "autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone", "email", "phone_number", "duration_us"} {
					if _, ok := rec[k]; !ok && !strings.Contains(f, "/bad/") {
						t.Errorf("%s: log line lacks %q: %s", f, k, log)
					}
				}
				for _, v := range personal(event) {
					inFilter := strings.ReplaceAll(v, `"`, `\"`)
					if strings.Contains(log, v) || strings.Contains(log, jsonEscaped(v)) || strings.Contains(log, jsonEscaped(inFilter)) {
						t.Errorf("%s/%s/%s: the log contains %q:\n%s", name, policy, f, v, log)
					}
				}
			}
		}
	}
	t.Logf("%d log lines checked", lines)
}

func jsonEscaped(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func TestLogLevel(t *testing.T) {
	var buf bytes.Buffer
	cfg := DefaultConfig()
	cfg.Policy = PolicyAllow
	h, _ := New(cfg, nil, slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})))
	h.Invoke(context.Background(), mkEvent(presignup.SourceSignUp, `"email":"a@example.com"`))
	if buf.Len() != 0 {
		t.Errorf("LOG_LEVEL=warn still logged a successful sign-up: %s", buf.String())
	}
	h.Invoke(context.Background(), []byte(`{}`))
	if !strings.Contains(buf.String(), `"level":"ERROR"`) {
		t.Errorf("a refused event was not logged at error level: %s", buf.String())
	}
}

// TestUserHashIsKeyed checks that the log's username hash is stable within an
// instance, differs between instances, and is not an unkeyed hash a
// dictionary of addresses could reverse.
func TestUserHashIsKeyed(t *testing.T) {
	a, _ := New(DefaultConfig(), guard.Nobody(), nil)
	b, _ := New(DefaultConfig(), guard.Nobody(), nil)
	const user = "jane@example.com"
	if first, again := a.userHash(user), a.userHash(user); first != again {
		t.Error("the hash is not stable within one instance")
	}
	if a.userHash(user) == b.userHash(user) {
		t.Error("two instances hash a username alike: the hash is not keyed")
	}
	fnv := fnv.New64a()
	fnv.Write([]byte(user))
	plain := sha256.Sum256([]byte(user))
	for _, unkeyed := range []string{fmt.Sprintf("%016x", fnv.Sum64()), hex.EncodeToString(plain[:8])} {
		if a.userHash(user) == unkeyed {
			t.Errorf("the hash %s is an unkeyed hash of the username", unkeyed)
		}
	}
	if h := a.userHash(user); len(h) != 16 {
		t.Errorf("hash %q is not 16 hex digits", h)
	}
}
