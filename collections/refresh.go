package collections

// UsedRefreshTokens holds the ids (jti) of refresh tokens already exchanged,
// until they would have expired: a refresh token works once.
const UsedRefreshTokens = "used_refresh_tokens"

// Fields of the used_refresh_tokens collection.
const (
	UsedRefreshJTI       = "jti"
	UsedRefreshUser      = "user"
	UsedRefreshExpiresAt = "expires_at"
	// MaxJTIChars bounds a refresh token's id.
	MaxJTIChars = 64
)
