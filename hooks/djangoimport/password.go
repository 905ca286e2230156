package djangoimport

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"hash"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/pbkdf2"

	c "toolbase/collections"
)

// An imported user keeps its Django password hash where PocketBase keeps its
// bcrypt hash: the users' password column (a Hidden field that PocketBase
// never exports, not even to superusers, and that the filter guard refuses).
// PocketBase's own check (bcrypt) never accepts a Django hash, so the first
// successful login, on either API, goes through CheckPassword: the Django
// hash is verified (PBKDF2, compared in constant time) and replaced by a
// bcrypt hash of the same password, in one conditional UPDATE (of two
// concurrent first logins, one converts and the other then checks the bcrypt
// hash). From then on the account is like any other. A failed check is a
// failed login for the throttle, as any wrong password.
//
// A password reset or change replaces the hash as it would a bcrypt one.
// Unusable Django passwords ("!…") and the hashers toolbase does not verify
// (argon2, bcrypt_sha256, scrypt, md5, …) are stored as they are and never
// match: those users need a password reset (the import lists them).

// Django's PBKDF2 hashers: "<algorithm>$<iterations>$<salt>$<base64 key>".
var djangoHashers = map[string]struct {
	hash func() hash.Hash
	size int
}{
	"pbkdf2_sha256": {sha256.New, sha256.Size},
	"pbkdf2_sha1":   {sha1.New, sha1.Size},
}

// maxIterations bounds the work of one check: a hash asking for more is not
// accepted (at import, it is listed as needing a reset), so that a crafted
// dump cannot make logins hang. Django's defaults are 260,000 (3.2) to
// 1,000,000 (5.x).
const maxIterations = 5_000_000

// djangoHash is a parsed Django PBKDF2 hash.
type djangoHash struct {
	algorithm  string
	iterations int
	salt       string
	key        []byte
}

// parseDjangoHash parses a Django PBKDF2 hash, or reports false.
func parseDjangoHash(encoded string) (djangoHash, bool) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 4 {
		return djangoHash{}, false
	}
	hasher, ok := djangoHashers[parts[0]]
	if !ok {
		return djangoHash{}, false
	}
	iterations, err := strconv.Atoi(parts[1])
	if err != nil || iterations < 1 || iterations > maxIterations || parts[2] == "" || strings.Contains(parts[2], "$") {
		return djangoHash{}, false
	}
	key, err := base64.StdEncoding.DecodeString(parts[3])
	if err != nil || len(key) != hasher.size {
		return djangoHash{}, false
	}
	return djangoHash{algorithm: parts[0], iterations: iterations, salt: parts[2], key: key}, true
}

// matches reports, in constant time for a given hash, whether password is the
// one h was made from.
func (h djangoHash) matches(password string) bool {
	hasher := djangoHashers[h.algorithm]
	derived := pbkdf2.Key([]byte(password), []byte(h.salt), h.iterations, hasher.size, hasher.hash)
	return subtle.ConstantTimeCompare(derived, h.key) == 1
}

// PasswordKind classifies a Django password field as the import reports it.
type PasswordKind int

const (
	// PasswordPBKDF2 is a hash toolbase verifies at the first login.
	PasswordPBKDF2 PasswordKind = iota
	// PasswordUnusable is Django's unusable password ("!…", or empty): the
	// user needs a reset, as on Django.
	PasswordUnusable
	// PasswordOtherHasher is a hash of a hasher toolbase does not verify: the
	// user needs a reset.
	PasswordOtherHasher
)

// ClassifyPassword says what becomes of a Django password field.
func ClassifyPassword(encoded string) PasswordKind {
	switch {
	case encoded == "" || strings.HasPrefix(encoded, "!"):
		return PasswordUnusable
	case isDjangoHash(encoded):
		return PasswordPBKDF2
	}
	return PasswordOtherHasher
}

func isDjangoHash(encoded string) bool {
	_, ok := parseDjangoHash(encoded)
	return ok
}

// storedHash is the value of the password column of a user record.
func storedHash(user *core.Record) string {
	return user.GetString(c.UserPassword + ":hash")
}

// CheckPassword reports whether password is user's: PocketBase's bcrypt check
// or, for an imported user not yet converted, the Django hash, which a match
// replaces by a bcrypt hash (user is updated in memory as well). Both
// sign-in routes call it where they would call ValidatePassword.
func CheckPassword(app core.App, user *core.Record, password string) bool {
	if user.ValidatePassword(password) {
		return true
	}
	stored := storedHash(user)
	h, ok := parseDjangoHash(stored)
	if !ok || !h.matches(password) {
		return false
	}
	upgraded, err := upgradePassword(app, user, stored, password)
	if err != nil {
		app.Logger().Error("django import: converting a password hash", "user", user.Id, "error", err.Error())
		// the password is right: the conversion is tried again next time
		return true
	}
	return upgraded
}

// upgradePassword replaces the Django hash stored by a bcrypt hash of
// password, if it is still there; otherwise (a concurrent first login
// converted it, or the password changed meanwhile) it checks password against
// what is stored now.
func upgradePassword(app core.App, user *core.Record, stored, password string) (bool, error) {
	cost := bcrypt.DefaultCost
	if f, ok := user.Collection().Fields.GetByName(c.UserPassword).(*core.PasswordField); ok && f.Cost > 0 {
		cost = f.Cost
	}
	hashed, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if errors.Is(err, bcrypt.ErrPasswordTooLong) {
		// bcrypt takes at most 72 bytes: keep the Django hash, checked each time
		return true, nil
	}
	if err != nil {
		return false, err
	}
	// no record save: the password does not change, so neither does the
	// tokenKey (no token of the user is ended) nor updated_at
	res, err := app.DB().Update(c.Users, dbx.Params{c.UserPassword: string(hashed)},
		dbx.HashExp{c.FieldID: user.Id, c.UserPassword: stored}).Execute()
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		user.SetRaw(c.UserPassword, &core.PasswordFieldValue{Hash: string(hashed)})
		return true, nil
	}
	fresh, err := app.FindRecordById(c.Users, user.Id)
	if err != nil {
		return false, err
	}
	user.SetRaw(c.UserPassword, fresh.GetRaw(c.UserPassword))
	return user.ValidatePassword(password), nil
}

// Bind converts Django hashes on PocketBase's auth-with-password of users (the
// DRF API's POST /api/token/ calls CheckPassword itself), and ends the
// tokens of a user a superuser deactivates.
func Bind(app core.App) {
	app.OnRecordAuthWithPasswordRequest(c.Users).Bind(&hook.Handler[*core.RecordAuthWithPasswordRequestEvent]{
		Id: "toolbaseDjangoPasswords",
		Func: func(e *core.RecordAuthWithPasswordRequestEvent) error {
			// on a match the record now holds the bcrypt hash, which
			// PocketBase's own check then accepts; on a mismatch that check
			// refuses (400), and the login throttle counts the failure
			if e.Record != nil && isDjangoHash(storedHash(e.Record)) {
				CheckPassword(e.App, e.Record, e.Password)
			}
			return e.Next()
		},
	})
	app.OnRecordUpdate(c.Users).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetBool(c.UserDeactivated) && !e.Record.Original().GetBool(c.UserDeactivated) {
			e.Record.RefreshTokenKey()
		}
		return e.Next()
	})
}
