package stack

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// serviceIDs maps the SigV4 signing names that differ from the SDKs'
// service ids, which name the AWS_ENDPOINT_URL_<SERVICE> variables.
var serviceIDs = map[string]string{
	"secretsmanager": "SECRETS_MANAGER",
	"execute-api":    "API_GATEWAY",
	"email":          "SES",
	"states":         "SFN",
	"monitoring":     "CLOUDWATCH",
	"logs":           "CLOUDWATCH_LOGS",
	"events":         "EVENTBRIDGE",
	"cognito-idp":    "COGNITO_IDENTITY_PROVIDER",
}

var signingName = regexp.MustCompile(`Credential=[^/]*/[^/]*/[^/]*/([^/]+)/aws4_request`)

// notEmulated answers any AWS call the stack does not emulate with an error
// that names the service and the variable to point it elsewhere, so that a
// handler's call to DynamoDB, say, fails here as clearly as it would without
// permission on AWS, and never leaves the machine.
func notEmulated(w http.ResponseWriter, r *http.Request) {
	service := "this AWS service"
	id := "<SERVICE>"
	if m := signingName.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		service = m[1]
		id = serviceIDs[service]
		if id == "" {
			id = strings.ToUpper(strings.ReplaceAll(service, "-", "_"))
		}
	}
	msg := fmt.Sprintf("%s is not emulated by autoconfirm-conformance local; point AWS_ENDPOINT_URL_%s at your own emulator with --env AWS_ENDPOINT_URL_%s=http://…", service, id, id)
	const code = "NotEmulatedByLocal"
	form := strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
	switch {
	case form: // the query protocol (STS, SNS, SQS's old one, SES) reads XML
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error></ErrorResponse>", code, escapeXML(msg))
	case service == "s3":
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "<Error><Code>%s</Code><Message>%s</Message></Error>", code, escapeXML(msg))
	default: // the JSON protocols, and REST-JSON through the header
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Errortype", code)
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":%q,"message":%q,"Message":%q}`, code, msg, msg)
	}
}

func escapeXML(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
