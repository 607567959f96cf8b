// Package verifytest stands in for a deployed Oh My Coins in tests of
// cmd/verify: the app's three answers over HTTP or TLS, and a certificate
// authority made for one test.
package verifytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// AppHandler answers the three paths the checks call as the real app does
// (the backend's health JSON, FastAPI's docs page, the frontend's HTML) with
// status, after delay; everything else is 404.
func AppHandler(status int, delay time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var contentType, body string
		switch r.URL.Path {
		case "/api/v1/utils/health-check/":
			contentType, body = "application/json", "true"
		case "/docs":
			contentType, body = "text/html; charset=utf-8", `<html><head><link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"></head></html>`
		case "/":
			contentType, body = "text/html", `<!doctype html><div id="root"></div>`
		default:
			http.NotFound(w, r)
			return
		}
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		if status >= 300 && status < 400 {
			w.Header().Set("Location", "https://elsewhere.example.com"+r.URL.Path)
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

// CA is a certificate authority made for one test.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	PEM  []byte
	Pool *x509.CertPool
}

// NewCA makes a CA for one test; its PEM and Pool are what a client trusts.
func NewCA(t testing.TB) CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ohmycoins test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return CA{cert: cert, key: key, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), Pool: pool}
}

// Leaf is a server certificate for the names, signed by the CA.
func (ca CA) Leaf(t testing.TB, names ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		IPAddresses: []net.IP{}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TLSApp is the fake app (AppHandler) over TLS with a certificate for names
// from a CA of its own, whose roots it returns.
func TLSApp(t testing.TB, names ...string) (*x509.CertPool, *httptest.Server) {
	t.Helper()
	ca := NewCA(t)
	srv := httptest.NewUnstartedServer(AppHandler(200, 0))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, names...)}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return ca.Pool, srv
}
