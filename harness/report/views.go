package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/autoconfirm/autoconfirm/internal/termtext"
)

func view(target string, f Feature, s Scenario, st Status, reason string, taken map[string]bool) scenarioView {
	v := scenarioView{Anchor: uniqueAnchor(target+"-"+f.URI+"-"+s.Name, taken), Name: text(s.Name), Feature: text(f.Name), Status: st, Reason: text(reason)}
	var tags []string
	for _, t := range s.Tags {
		tags = append(tags, t.Name)
	}
	v.Tags = text(strings.Join(tags, " "))
	for _, step := range s.Steps {
		v.Steps = append(v.Steps, stepView{strings.TrimSpace(step.Keyword), text(step.Name), step.Result.Status, text(step.Result.Error)})
		if step.Result.Status == "failed" && v.Wrong == "" {
			v.Wrong = text(step.Result.Error)
		}
	}
	marks := flagMarks(s)
	v.EventLabel, v.ResponseLabel = "Event in", "Response out"
	event, response := s.Attachment("event.json"), s.Attachment("response.json")
	where := lambdaFlagLines
	if read := s.Attachment("admin-get-user.json"); read != nil {
		event, response = s.Attachment("signup.json"), read
		v.EventLabel, v.ResponseLabel = "SignUp request sent (Cognito builds the event from it)", "The user, as AdminGetUser read it back"
		where = poolFlagLines
	}
	v.Event = pretty(event, nil, nil)
	v.Response = pretty(response, marks, where)
	v.Refusal = text(string(s.Attachment("error.txt")))
	return v
}

// FlagsAttachment is the attachment in which the steps name the response
// flags they judged (steps.FlagsAttachment).
const FlagsAttachment = "flags.json"

// flagMarks merges what the scenario's steps judged of each flag: a flag
// any step found wrong is wrong.
func flagMarks(s Scenario) map[string]string {
	marks := map[string]string{}
	for _, b := range s.Attachments(FlagsAttachment) {
		var m map[string]string
		if json.Unmarshal(b, &m) != nil {
			continue
		}
		for flag, v := range m {
			if marks[flag] != "wrong" && (v == "right" || v == "wrong") {
				marks[flag] = v
			}
		}
	}
	return marks
}

// lambdaFlagLines and poolFlagLines say which line of the returned JSON
// shows each flag: the flag itself in the event a function returned, and
// what it became in the user AdminGetUser read back.
var (
	lambdaFlagLines = map[string]string{"autoConfirmUser": `"autoConfirmUser"`, "autoVerifyEmail": `"autoVerifyEmail"`, "autoVerifyPhone": `"autoVerifyPhone"`}
	poolFlagLines   = map[string]string{"autoConfirmUser": `"UserStatus"`, "autoVerifyEmail": `"Name": "email_verified"`, "autoVerifyPhone": `"Name": "phone_number_verified"`}
)

// uniqueAnchor makes an id from what names a scenario, not from its
// position, so that a link survives rows being reordered.
func uniqueAnchor(s string, taken map[string]bool) string {
	a := anchor(s)
	for i := 2; taken[a]; i++ {
		a = anchor(fmt.Sprintf("%s-%d", s, i))
	}
	taken[a] = true
	return a
}

func anchor(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// text is s for the page: its lines kept, every other control character,
// bidirectional control and byte that is not UTF-8 shown as an escape
// (red team rounds 13 and 14), before html/template escapes it.
func text(s string) string {
	return termtext.Inert(s)
}

// dedent trims a feature description and the indentation Gherkin gives its
// lines, keeping the line breaks.
func dedent(s string) string {
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}

// pretty indents JSON and marks the lines that carry the flags and the
// attributes they depend on. A flag is coloured by whether the steps that
// judged it found it right or wrong, never by its value; a wrong flag that
// no line shows (a handler may leave it out) gets a line of its own, so that
// every failure about a flag marks it.
func pretty(raw []byte, marks map[string]string, where map[string]string) []line {
	if raw == nil {
		return nil
	}
	var buf bytes.Buffer
	shown := string(raw)
	if json.Indent(&buf, raw, "", "  ") == nil {
		shown = buf.String()
	}
	cut := ""
	if len(shown) > maxShown {
		cut = fmt.Sprintf("… %d more bytes not shown", len(shown)-maxShown)
		shown = strings.ToValidUTF8(shown[:maxShown], "")
	}
	shown = text(shown)
	var out []line
	seen := map[string]bool{}
	for _, l := range strings.Split(strings.TrimRight(shown, "\n"), "\n") {
		class := ""
		t := strings.TrimSpace(l)
		for _, flag := range flagNames {
			if prefix, ok := where[flag]; ok && strings.HasPrefix(t, prefix) {
				class = strings.TrimSpace("flag " + marks[flag])
				seen[flag] = true
			}
		}
		if class == "" && (strings.HasPrefix(t, `"email"`) || strings.HasPrefix(t, `"phone_number"`) || strings.HasPrefix(t, `"triggerSource"`)) {
			class = "attr"
		}
		out = append(out, line{l, class})
	}
	if cut != "" {
		out = append(out, line{cut, "cut"})
	}
	for _, flag := range flagNames {
		if marks[flag] == "wrong" && !seen[flag] {
			shown := strings.Trim(strings.TrimPrefix(where[flag], `"Name": `), `"`)
			out = append(out, line{fmt.Sprintf("(%s is not in what came back; %s is what is wrong)", shown, flag), "flag wrong"})
		}
	}
	return out
}

// flagNames are the response flags, in the order the event holds them.
var flagNames = []string{"autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone"}
