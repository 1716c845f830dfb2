package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/handler/guard"
	"github.com/autoconfirm/autoconfirm/presignup"
)

// FuzzInvoke drives the full aws-lambda-go Invoke path with mutations of
// every fixture and checks the invariants that must hold for any input.
func FuzzInvoke(f *testing.F) {
	err := filepath.WalkDir("../fixtures", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") && !strings.Contains(path, "/pool/") {
			b, rerr := os.ReadFile(path)
			if rerr != nil {
				return rerr
			}
			f.Add(b)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	h, err := New(DefaultConfig(), guard.Nobody(), nil)
	if err != nil {
		f.Fatal(err)
	}
	invoke := lambda.NewHandler(h)
	f.Fuzz(func(t *testing.T, in []byte) {
		keep := bytes.Clone(in)
		out, err := invoke.Invoke(context.Background(), in)
		if !bytes.Equal(in, keep) {
			t.Fatal("Invoke modified its input")
		}
		validIn := json.Valid(in)
		if err != nil {
			return // a clear error is an allowed answer to any input
		}
		if !json.Valid(out) {
			t.Fatalf("output is not valid JSON for input %q: %q", in, out)
		}
		if !validIn {
			t.Fatalf("invalid input %q was answered with %q instead of an error", in, out)
		}
		if gjson.GetBytes(in, "triggerSource").Str == presignup.SourceAdminCreateUser && !bytes.Equal(in, out) {
			t.Fatalf("AdminCreateUser event changed:\n in %s\nout %s", in, out)
		}
		r := gjson.GetBytes(out, "response")
		confirm, email, phone := r.Get("autoConfirmUser").Type == gjson.True, r.Get("autoVerifyEmail").Type == gjson.True, r.Get("autoVerifyPhone").Type == gjson.True
		if (email || phone) && !confirm {
			t.Fatalf("a verify flag without autoConfirmUser: %s", r.Raw)
		}
		attrs := gjson.GetBytes(in, "request.userAttributes")
		if e := attrs.Get(presignup.AttrEmail); email && (e.Type != gjson.String || !presignup.PlausibleEmail(e.Str)) {
			t.Fatalf("autoVerifyEmail for email %s", e.Raw)
		}
		if p := attrs.Get(presignup.AttrPhone); phone && (p.Type != gjson.String || !presignup.ValidE164(p.Str)) {
			t.Fatalf("autoVerifyPhone for phone_number %s", p.Raw)
		}
		for _, k := range []string{"version", "triggerSource", "region", "userPoolId", "userName", "callerContext", "request"} {
			if a, b := gjson.GetBytes(in, k), gjson.GetBytes(out, k); a.Raw != b.Raw {
				t.Fatalf("%s changed: %s -> %s", k, a.Raw, b.Raw)
			}
		}
	})
}
