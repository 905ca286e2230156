package hooks

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// newSecret returns a new secret, its stored hash and its display prefix.
func newSecret() (secret, hash, prefix string, err error) {
	raw := make([]byte, keySecretBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", "", "", fmt.Errorf("api key: reading random bytes: %w", err)
	}
	secret = keySecretPrefix + base64.RawURLEncoding.EncodeToString(raw)
	return secret, hashSecret(secret), secret[:len(keySecretPrefix)+keyShownChars], nil
}

// hashSecret is the stored form of a secret: SHA-256, hex. The secret has 256
// random bits, so a fast unsalted hash is enough: nothing to brute-force.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// wellFormed reports whether s can be a secret at all (no query for garbage).
func wellFormed(s string) bool {
	if len(s) != keySecretLen || !strings.HasPrefix(s, keySecretPrefix) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s[len(keySecretPrefix):])
	return err == nil
}

// masked is how a key is shown after its creation: "tk_AbCdEfGh…".
func masked(prefix string) string {
	if prefix == "" {
		return ""
	}
	return prefix + "…"
}
