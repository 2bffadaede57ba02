package main

import (
	"strings"
	"testing"
)

func TestListeningBeyondLoopbackNeedsAuthorizedKeys(t *testing.T) {
	tests := []struct {
		name, listen, keys string
		wantErr            string
	}{
		{"IPv4 loopback without keys", "127.0.0.1:2222", "", ""},
		{"IPv6 loopback without keys", "[::1]:2222", "", ""},
		{"localhost without keys", "localhost:2222", "", ""},
		{"every interface without keys is refused", "0.0.0.0:2222", "", "reaches beyond this machine: give --authorized-keys FILE"},
		{"an empty host is every interface, refused", ":2222", "", "reaches beyond this machine"},
		{"a LAN address without keys is refused", "192.0.2.7:2222", "", "reaches beyond this machine"},
		{"every interface with keys", "0.0.0.0:2222", "authorized_keys", ""},
		{"no port is an error", "127.0.0.1", "", "want HOST:PORT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkListen(tt.listen, tt.keys)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestServeRefusesBadFlagsBeforeListening(t *testing.T) {
	cfg := writeConfig(t, deadURL(t), false)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no config", nil, "serve needs --config FILE"},
		{"beyond loopback without keys", []string{"--config", cfg, "--listen", "0.0.0.0:0"}, "--authorized-keys"},
		{"an idle timeout too short to ask for keepalives", []string{"--config", cfg, "--idle-timeout", "1s"}, "--idle-timeout 1s: must be at least 3s"},
		{"no session allowed", []string{"--config", cfg, "--max-sessions", "0"}, "--max-sessions 0: must be at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := execute(t, append([]string{"serve"}, tt.args...)...)
			if code != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q, want 1 and %q", code, errOut, tt.want)
			}
		})
	}
}
