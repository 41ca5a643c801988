package pgserver

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// scramIterations is the PBKDF2 iteration count of the lab's SCRAM verifier,
// PostgreSQL's default.
const scramIterations = 4096

// errBadPassword ends a login with 28P01.
var errBadPassword = errors.New("password authentication failed")

// authenticate runs the password exchange of the server's method and
// reports whether user logged in with the right password. A protocol error
// comes back as an error; a wrong password as false.
func (s *session) authenticate(user string) (bool, error) {
	switch s.srv.Auth {
	case AuthCleartext:
		s.be.Send(&pgproto3.AuthenticationCleartextPassword{})
		if err := s.be.SetAuthType(pgproto3.AuthTypeCleartextPassword); err != nil {
			return false, err
		}
		pw, err := s.receivePassword()
		if err != nil {
			return false, err
		}
		return s.rightUser(user) && subtle.ConstantTimeCompare([]byte(pw), []byte(s.srv.Password)) == 1, nil
	case AuthMD5:
		var salt [4]byte
		rand.Read(salt[:])
		s.be.Send(&pgproto3.AuthenticationMD5Password{Salt: salt})
		if err := s.be.SetAuthType(pgproto3.AuthTypeMD5Password); err != nil {
			return false, err
		}
		pw, err := s.receivePassword()
		if err != nil {
			return false, err
		}
		want := md5Password(s.srv.User, s.srv.Password, salt)
		return s.rightUser(user) && subtle.ConstantTimeCompare([]byte(pw), []byte(want)) == 1, nil
	}
	return s.scram(user)
}

func (s *session) rightUser(user string) bool {
	return subtle.ConstantTimeCompare([]byte(user), []byte(s.srv.User)) == 1
}

// receivePassword reads a PasswordMessage.
func (s *session) receivePassword() (string, error) {
	if err := s.be.Flush(); err != nil {
		return "", err
	}
	msg, err := s.be.Receive()
	if err != nil {
		return "", err
	}
	pm, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return "", &startupError{"08P01", fmt.Sprintf("expected password response, got message type %T", msg)}
	}
	return pm.Password, nil
}

// md5Password is what a client sends for MD5: "md5" and the hex MD5 of the
// hex MD5 of password+user, then the salt.
func md5Password(user, password string, salt [4]byte) string {
	inner := md5.Sum([]byte(password + user))
	outer := md5.Sum(append([]byte(hex.EncodeToString(inner[:])), salt[:]...))
	return "md5" + hex.EncodeToString(outer[:])
}

// scram runs SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL does: no
// channel binding (the lab offers no SCRAM-SHA-256-PLUS), the user name in
// the startup message, not in the SCRAM messages.
func (s *session) scram(user string) (bool, error) {
	s.be.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{"SCRAM-SHA-256"}})
	if err := s.be.SetAuthType(pgproto3.AuthTypeSASL); err != nil {
		return false, err
	}
	if err := s.be.Flush(); err != nil {
		return false, err
	}
	msg, err := s.be.Receive()
	if err != nil {
		return false, err
	}
	first, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok || first.AuthMechanism != "SCRAM-SHA-256" {
		return false, &startupError{"28000", "the client chose no SASL mechanism the server offers (SCRAM-SHA-256)"}
	}
	gs2, bare, cnonce, err := parseClientFirst(string(first.Data))
	if err != nil {
		return false, err
	}
	var salt, nb [18]byte
	rand.Read(salt[:])
	rand.Read(nb[:])
	nonce := cnonce + base64.StdEncoding.EncodeToString(nb[:])
	serverFirst := fmt.Sprintf("r=%s,s=%s,i=%d", nonce, base64.StdEncoding.EncodeToString(salt[:]), scramIterations)
	s.be.Send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)})
	if err := s.be.SetAuthType(pgproto3.AuthTypeSASLContinue); err != nil {
		return false, err
	}
	if err := s.be.Flush(); err != nil {
		return false, err
	}
	if msg, err = s.be.Receive(); err != nil {
		return false, err
	}
	final, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return false, &startupError{"08P01", "expected SASL response"}
	}
	withoutProof, proof, err := parseClientFinal(string(final.Data), gs2, nonce)
	if err != nil {
		return false, err
	}
	salted, err := pbkdf2.Key(sha256.New, s.srv.Password, salt[:], scramIterations, sha256.Size)
	if err != nil {
		return false, err
	}
	clientKey := hmacSum(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	authMsg := bare + "," + serverFirst + "," + withoutProof
	sig := hmacSum(storedKey[:], authMsg)
	if len(proof) != len(sig) {
		return false, nil
	}
	got := make([]byte, len(sig))
	for i := range sig {
		got[i] = proof[i] ^ sig[i]
	}
	gotStored := sha256.Sum256(got)
	if subtle.ConstantTimeCompare(gotStored[:], storedKey[:]) != 1 || !s.rightUser(user) {
		return false, nil
	}
	serverSig := hmacSum(hmacSum(salted, "Server Key"), authMsg)
	s.be.Send(&pgproto3.AuthenticationSASLFinal{Data: []byte("v=" + base64.StdEncoding.EncodeToString(serverSig))})
	return true, nil
}

func hmacSum(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// parseClientFirst splits a client-first-message into its GS2 header, its
// bare part and the client's nonce.
func parseClientFirst(m string) (gs2, bare, nonce string, err error) {
	bad := &startupError{"08P01", "malformed SCRAM message (client-first-message)"}
	parts := strings.SplitN(m, ",", 3)
	if len(parts) != 3 {
		return "", "", "", bad
	}
	switch {
	case parts[0] == "n" || parts[0] == "y":
	case strings.HasPrefix(parts[0], "p="):
		return "", "", "", &startupError{"28000", "the client asked for channel binding, which the lab's server does not offer"}
	default:
		return "", "", "", bad
	}
	gs2, bare = parts[0]+","+parts[1]+",", parts[2]
	for _, attr := range strings.Split(bare, ",") {
		if v, ok := strings.CutPrefix(attr, "r="); ok && v != "" {
			return gs2, bare, v, nil
		}
	}
	return "", "", "", bad
}

// parseClientFinal checks a client-final-message's channel binding and
// nonce, and returns it without its proof, and the proof.
func parseClientFinal(m, gs2, nonce string) (string, []byte, error) {
	bad := &startupError{"08P01", "malformed SCRAM message (client-final-message)"}
	i := strings.LastIndex(m, ",p=")
	if i < 0 {
		return "", nil, bad
	}
	without := m[:i]
	proof, err := base64.StdEncoding.DecodeString(m[i+3:])
	if err != nil {
		return "", nil, bad
	}
	var cbind, r string
	for _, attr := range strings.Split(without, ",") {
		if v, ok := strings.CutPrefix(attr, "c="); ok {
			cbind = v
		}
		if v, ok := strings.CutPrefix(attr, "r="); ok {
			r = v
		}
	}
	if cbind != base64.StdEncoding.EncodeToString([]byte(gs2)) {
		return "", nil, &startupError{"08P01", "SCRAM channel binding check failed"}
	}
	if r != nonce {
		return "", nil, &startupError{"08P01", "SCRAM nonce mismatch"}
	}
	return without, proof, nil
}
