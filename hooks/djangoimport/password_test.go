package djangoimport

import "testing"

func TestDjangoHashes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		encoded, password string
		kind              PasswordKind
		ok                bool
	}{
		// computed with Python's hashlib.pbkdf2_hmac, as Django's hashers do
		{"pbkdf2_sha1$10000$NaCl1234$kSnmozkKgi94Zzs6HJYEJXRFeb4=", "correct horse", PasswordPBKDF2, true},
		{"pbkdf2_sha256$10000$NaCl1234$ksTvsw/FYZwOIe0EgD03HrBnBzhx+AGhYk6mWidtzBQ=", "correct horse", PasswordPBKDF2, true},
		{"pbkdf2_sha256$10000$NaCl1234$ksTvsw/FYZwOIe0EgD03HrBnBzhx+AGhYk6mWidtzBQ=", "correct horsE", PasswordPBKDF2, false},
		{"pbkdf2_sha256$10000$NaCl1235$ksTvsw/FYZwOIe0EgD03HrBnBzhx+AGhYk6mWidtzBQ=", "correct horse", PasswordPBKDF2, false},
		{"pbkdf2_sha256$9999$NaCl1234$ksTvsw/FYZwOIe0EgD03HrBnBzhx+AGhYk6mWidtzBQ=", "correct horse", PasswordPBKDF2, false},
		// a key of the wrong length, absurd iterations: not a hash toolbase checks
		{"pbkdf2_sha256$10000$NaCl1234$kSnmozkKgi94Zzs6HJYEJXRFeb4=", "correct horse", PasswordOtherHasher, false},
		{"pbkdf2_sha256$999999999$NaCl1234$ksTvsw/FYZwOIe0EgD03HrBnBzhx+AGhYk6mWidtzBQ=", "correct horse", PasswordOtherHasher, false},
		{"argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ$aGFzaA", "x", PasswordOtherHasher, false},
		{"bcrypt_sha256$$2b$12$abc", "x", PasswordOtherHasher, false},
		{"!XvRbJ1Wq3wEGDFYbKpZcTkZJ4ZQeQ5hQvVJ0s3ow", "", PasswordUnusable, false},
		{"", "", PasswordUnusable, false},
		// PocketBase's own bcrypt hash is not a Django one
		{"$2a$10$abcdefghijklmnopqrstuuJ7XgBq4bHGqEZfGkFrRj6ZbGOgJf2aW", "x", PasswordOtherHasher, false},
	} {
		if got := ClassifyPassword(tc.encoded); got != tc.kind {
			t.Errorf("ClassifyPassword(%q) = %d, want %d", tc.encoded, got, tc.kind)
		}
		h, parsed := parseDjangoHash(tc.encoded)
		if ok := parsed && h.matches(tc.password); ok != tc.ok {
			t.Errorf("%q matches %q: %v, want %v", tc.encoded, tc.password, ok, tc.ok)
		}
	}
}

func TestParseFields(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"00:00:00.100000": 100, "00:00:01": 1000, "1 02:00:00.5": 93_600_500, "12.25": 12_250, "01:30": 90_000} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "-1 00:00:00", "00:00:00.1234567", "1:2:3:4"} {
		if _, err := parseDuration(bad); err == nil {
			t.Errorf("parseDuration(%q) accepted", bad)
		}
	}
	for in, want := range map[string]int64{`"0.00"`: 0, `"125.00"`: 125, `"7"`: 7, `42`: 42, `null`: 0} {
		if got, err := parsePoints([]byte(in)); err != nil || got != want {
			t.Errorf("parsePoints(%s) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{`"12.50"`, `"abc"`, `"1e3"`, `"10000000000000"`} {
		if _, err := parsePoints([]byte(bad)); err == nil {
			t.Errorf("parsePoints(%s) accepted", bad)
		}
	}
	if got, err := parseTime("2026-12-06T23:13:36.698Z"); err != nil || got.String() != "2026-12-06 23:13:36.698Z" {
		t.Errorf("parseTime: %v, %v", got, err)
	}
	if got, err := parseTime("2026-12-06T23:13:36.698+02:00"); err != nil || got.String() != "2026-12-06 21:13:36.698Z" {
		t.Errorf("parseTime with an offset: %v, %v", got, err)
	}
}
