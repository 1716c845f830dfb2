package cognitofake

import (
	"net/http"
)

// describeUserPool serves DescribeUserPool with the pool's id and its alias
// and username attributes. "Quotas in Amazon Cognito" names no quota for it (rules §22.5), so
// none is applied.
func (s *Server) describeUserPool(w http.ResponseWriter, body []byte) {
	var in struct{ UserPoolId string }
	if !decode(w, body, &in) {
		return
	}
	cfg, _, ok := s.poolOf(w, in.UserPoolId)
	if !ok {
		return
	}
	pool := map[string]any{"Id": in.UserPoolId}
	if len(cfg.AliasAttributes) > 0 {
		pool["AliasAttributes"] = cfg.AliasAttributes
	}
	if len(cfg.UsernameAttributes) > 0 {
		pool["UsernameAttributes"] = cfg.UsernameAttributes
	}
	writeJSON(w, map[string]any{"UserPool": pool})
}
