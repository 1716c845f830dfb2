package presignup

import "strings"

// MaskEmail keeps only the domain of an address.
func MaskEmail(v string) string {
	if at := strings.LastIndexByte(v, '@'); at >= 0 {
		return "***" + v[at:]
	}
	return "***"
}

// MaskPhone keeps only the last two digits of a number.
func MaskPhone(v string) string {
	if len(v) < 4 {
		return "***"
	}
	return "***" + v[len(v)-2:]
}
