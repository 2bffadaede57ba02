package probe

import (
	"fmt"

	"github.com/andybalholm/cascadia"
)

// CheckSelector reports whether sel is a CSS selector the probe can match.
func CheckSelector(sel string) error {
	if _, err := cascadia.Compile(sel); err != nil {
		return fmt.Errorf("not a CSS selector: %w", err)
	}
	return nil
}

// CheckCDNHost reports whether entry is a CDN entry the probe understands:
// a host, a *.wildcard, or a host and a path prefix.
func CheckCDNHost(entry string) error {
	_, err := parseCDNRules([]string{entry})
	if err != nil {
		return fmt.Errorf("%q is not a host name, a *.wildcard or a host/path prefix", entry)
	}
	return nil
}
