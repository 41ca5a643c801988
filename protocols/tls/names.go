package tls

import (
	stdtls "crypto/tls"
	"fmt"
	"strings"
)

// Record content types (RFC 8446 §5.1, RFC 6520 for heartbeat).
const (
	typeChangeCipherSpec = 20
	typeAlert            = 21
	typeHandshake        = 22
	typeApplicationData  = 23
	typeHeartbeat        = 24
)

// Handshake message types (RFC 8446 §4, RFC 5246 §7.4, and DTLS's
// HelloVerifyRequest of RFC 6347 §4.2.1).
const (
	HandshakeClientHello         = 1
	HandshakeServerHello         = 2
	HandshakeHelloVerifyRequest  = 3
	HandshakeNewSessionTicket    = 4
	HandshakeEndOfEarlyData      = 5
	HandshakeEncryptedExtensions = 8
	HandshakeCertificate         = 11
	HandshakeServerKeyExchange   = 12
	HandshakeCertificateRequest  = 13
	HandshakeServerHelloDone     = 14
	HandshakeCertificateVerify   = 15
	HandshakeClientKeyExchange   = 16
	HandshakeFinished            = 20
	HandshakeKeyUpdate           = 24
)

// Extension types (RFC 8446 §4.2 and the RFCs it names).
const (
	extServerName          = 0
	extSupportedGroups     = 10
	extSignatureAlgorithms = 13
	extALPN                = 16
	extSupportedVersions   = 43
	extKeyShare            = 51
)

const (
	versionTLS12 = 0x0303
	versionTLS13 = 0x0304
)

var handshakeNames = map[uint8]string{
	HandshakeClientHello: "ClientHello", HandshakeServerHello: "ServerHello", HandshakeHelloVerifyRequest: "HelloVerifyRequest",
	HandshakeNewSessionTicket: "NewSessionTicket", HandshakeEndOfEarlyData: "EndOfEarlyData",
	HandshakeEncryptedExtensions: "EncryptedExtensions", HandshakeCertificate: "Certificate",
	HandshakeServerKeyExchange: "ServerKeyExchange", HandshakeCertificateRequest: "CertificateRequest",
	HandshakeServerHelloDone: "ServerHelloDone", HandshakeCertificateVerify: "CertificateVerify",
	HandshakeClientKeyExchange: "ClientKeyExchange", HandshakeFinished: "Finished", 22: "CertificateStatus",
	HandshakeKeyUpdate: "KeyUpdate", 254: "message_hash",
}

func handshakeName(t uint8) string {
	if n, ok := handshakeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("handshake type %d", t)
}

var extensionNames = map[uint16]string{
	0: "server_name", 1: "max_fragment_length", 5: "status_request", 10: "supported_groups",
	11: "ec_point_formats", 13: "signature_algorithms", 14: "use_srtp", 15: "heartbeat",
	16: "application_layer_protocol_negotiation", 18: "signed_certificate_timestamp",
	21: "padding", 22: "encrypt_then_mac", 23: "extended_master_secret", 27: "compress_certificate",
	28: "record_size_limit", 35: "session_ticket", 41: "pre_shared_key", 42: "early_data",
	43: "supported_versions", 44: "cookie", 45: "psk_key_exchange_modes", 47: "certificate_authorities",
	48: "oid_filters", 49: "post_handshake_auth", 50: "signature_algorithms_cert", 51: "key_share",
	57: "quic_transport_parameters", 17513: "application_settings", 65037: "encrypted_client_hello",
	65281: "renegotiation_info",
}

func extensionName(t uint16) string {
	if grease(t) {
		return "GREASE"
	}
	if n, ok := extensionNames[t]; ok {
		return n
	}
	return fmt.Sprintf("extension %d", t)
}

// grease reports the reserved values of RFC 8701 that clients send to keep
// servers tolerant of unknown ones.
func grease(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

func versionName(v uint16) string {
	switch {
	case grease(v):
		return "GREASE"
	case v == 0x0300:
		return "SSL 3.0"
	case v >= 0x0301 && v <= versionTLS13:
		return fmt.Sprintf("TLS 1.%d", v-0x0301)
	}
	return fmt.Sprintf("0x%04x", v)
}

func suiteName(id uint16) string {
	switch {
	case grease(id):
		return "GREASE"
	case id == 0x00ff:
		return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"
	case id == 0x5600:
		return "TLS_FALLBACK_SCSV"
	}
	return stdtls.CipherSuiteName(id)
}

func groupName(id uint16) string {
	if grease(id) {
		return "GREASE"
	}
	return stdtls.CurveID(id).String()
}

func signatureName(id uint16) string {
	if grease(id) {
		return "GREASE"
	}
	return stdtls.SignatureScheme(id).String()
}

// list joins the names of values, at most max of them, saying how many were left out.
func list[T any](vs []T, name func(T) string, max int) string {
	var b strings.Builder
	for i, v := range vs {
		if i == max {
			fmt.Fprintf(&b, ", … (%d more)", len(vs)-max)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(name(v))
	}
	return b.String()
}

type alertInfo struct{ name, meaning string }

// alerts are the alert descriptions of RFC 8446 §6 (and RFC 5246 §7.2's older ones).
var alerts = map[uint8]alertInfo{
	0:   {"close_notify", "the sender will send nothing more on this connection: an orderly end, which protects against a truncation attack"},
	10:  {"unexpected_message", "a message arrived that was not allowed at this point of the protocol"},
	20:  {"bad_record_mac", "a record could not be decrypted or its integrity check failed"},
	21:  {"decryption_failed", "an old (TLS 1.0) way of saying a record could not be decrypted"},
	22:  {"record_overflow", "a record was longer than the protocol allows"},
	40:  {"handshake_failure", "the two sides could not agree on security parameters (no common cipher suite, version or group)"},
	41:  {"no_certificate", "an SSL 3.0 alert: the client has no certificate"},
	42:  {"bad_certificate", "a certificate was corrupt or its signature did not verify"},
	43:  {"unsupported_certificate", "a certificate was of a type the receiver does not support"},
	44:  {"certificate_revoked", "a certificate was revoked by its issuer"},
	45:  {"certificate_expired", "a certificate has expired or is not yet valid"},
	46:  {"certificate_unknown", "something went wrong with the certificate, for instance it was not trusted"},
	47:  {"illegal_parameter", "a field of a handshake message was out of range or inconsistent"},
	48:  {"unknown_ca", "the certificate chain does not lead to an authority the receiver trusts"},
	49:  {"access_denied", "the certificate was valid, but the receiver's policy refuses the connection"},
	50:  {"decode_error", "a message could not be decoded: a field was out of range or a length was wrong"},
	51:  {"decrypt_error", "a cryptographic check failed: a signature did not verify or a Finished message did not match"},
	60:  {"export_restriction", "an obsolete alert about export-grade cryptography"},
	70:  {"protocol_version", "the peer offered a protocol version the receiver will not speak"},
	71:  {"insufficient_security", "the server wants stronger cipher suites than the client offered"},
	80:  {"internal_error", "the sender failed for a reason of its own, not the peer's fault"},
	86:  {"inappropriate_fallback", "the client retried with an older version although the server supports a newer one"},
	90:  {"user_canceled", "the user or application abandoned the handshake"},
	100: {"no_renegotiation", "the receiver refuses to renegotiate"},
	109: {"missing_extension", "a required extension was not sent"},
	110: {"unsupported_extension", "an extension came in a message where it is not allowed, or was not asked for"},
	112: {"unrecognized_name", "the server has no service for the name asked for in the server_name extension"},
	113: {"bad_certificate_status_response", "the OCSP response the server sent was invalid"},
	115: {"unknown_psk_identity", "the server does not know the pre-shared key the client offered"},
	116: {"certificate_required", "the server requires a client certificate and got none"},
	120: {"no_application_protocol", "the server supports none of the application protocols the client offered with ALPN"},
}
