package deployed

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/autoconfirm/autoconfirm/harness/deployed/codezip"
)

func TestCheckTrigger(t *testing.T) {
	const arn = "arn:aws:lambda:eu-west-1:123456789012:function:presignup"
	for _, tt := range []struct {
		expect, trigger string
		ok              bool
	}{
		{"presignup", arn, true},
		{arn, arn, true},
		{"123456789012:function:presignup", arn, true},
		{"presignup:live", arn + ":live", true},
		{arn + ":3", arn + ":3", true},
		{"presignup", arn + ":3", false},        // a version where $LATEST was expected
		{"presignup:live", arn, false},          // $LATEST where an alias was expected
		{"presignup:live", arn + ":old", false}, // another alias
		{"other", arn, false},
		{"arn:aws:lambda:us-east-1:123456789012:function:presignup", arn, false}, // another region
		{"999999999999:function:presignup", arn, false},                          // another account
		{"presignup", "", false},                                                 // no trigger
	} {
		err := CheckTrigger(tt.expect, tt.trigger)
		if (err == nil) != tt.ok {
			t.Errorf("CheckTrigger(%q, %q) = %v, want ok %v", tt.expect, tt.trigger, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrOtherFunction) {
			t.Errorf("CheckTrigger(%q, %q): %v is not ErrOtherFunction", tt.expect, tt.trigger, err)
		}
	}
	for _, bad := range []string{"", "a:b:c", "arn:aws:lambda:r:1:function:", "name:"} {
		if err := CheckTrigger(bad, arn); err == nil || errors.Is(err, ErrOtherFunction) {
			t.Errorf("--expect-function %q: %v, want a usage error", bad, err)
		}
	}
}

type fakeConfig struct {
	out *lambda.GetFunctionConfigurationOutput
}

func (f fakeConfig) GetFunctionConfiguration(_ context.Context, in *lambda.GetFunctionConfigurationInput, _ ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error) {
	return f.out, nil
}

// TestCheckCode: a bootstrap, its directory and the zip make package would
// write all name the same code, and other code is told apart with both
// values.
func TestCheckCode(t *testing.T) {
	dir := t.TempDir()
	code := filepath.Join(dir, "code")
	os.MkdirAll(code, 0o755)
	if err := os.WriteFile(filepath.Join(code, "bootstrap"), []byte("#!/bin/sh\necho built\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var zip bytes.Buffer
	if _, err := codezip.Write(&zip, code); err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(dir, "function.zip")
	os.WriteFile(zipPath, zip.Bytes(), 0o644)
	id, _ := codezip.Of(code)
	f, err := Read(context.Background(), fakeConfig{&lambda.GetFunctionConfigurationOutput{FunctionArn: aws.String("arn:aws:lambda:eu-west-1:1:function:f"),
		Version: aws.String("$LATEST"), CodeSha256: aws.String(id.CodeSha256), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		PackageType: ltypes.PackageTypeZip, Timeout: aws.Int32(10), LastModified: aws.String("2026-11-29T12:00:00.000+0000")}}, "f")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{code, filepath.Join(code, "bootstrap"), zipPath} {
		if _, err := CheckCode(f, path); err != nil {
			t.Errorf("%s: %v", filepath.Base(path), err)
		}
	}
	os.WriteFile(filepath.Join(code, "bootstrap"), []byte("#!/bin/sh\necho changed\n"), 0o755)
	_, err = CheckCode(f, code)
	if !errors.Is(err, ErrOtherCode) || !strings.Contains(err.Error(), id.CodeSha256) {
		t.Errorf("changed code: %v, want ErrOtherCode naming Lambda's CodeSha256", err)
	}
	for _, want := range []string{"CodeSha256 " + id.CodeSha256, "provided.al2023", "x86_64", "timeout 10s", "no layers", "$LATEST"} {
		if !strings.Contains(f.String(), want) {
			t.Errorf("the report's name lacks %q: %s", want, f)
		}
	}
	if w := f.Warnings(); len(w) != 1 || !strings.Contains(w[0], "5s") {
		t.Errorf("a 10 s timeout warns %q", w)
	}
	f.Timeout = 5 * time.Second
	if w := f.Warnings(); len(w) != 0 {
		t.Errorf("a 5 s timeout warns %q", w)
	}
}
