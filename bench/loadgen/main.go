// Command loadgen: the two fixed-count loads of bench/run.py that wrk cannot do.
//
//	loadgen burst -url URL -unique 500 -dup 100 -prefix RUN
//	    POSTs unique+dup registrations at once, each on its own new connection (all
//	    connections opened first, then every request released together); dup re-sends
//	    e-mails of the unique set. Prints JSON: statuses, errors (resets named), p50/p99/max.
//	loadgen smtp -addr 127.0.0.1:PORT -n 10000 -conns 8 -size 6000
//	    sends n messages over conns SMTP connections, pipelining MAIL FROM, RCPT TO and
//	    DATA in one write and the message with the next envelope in the following one.
//	    Prints JSON: sent, seconds, rate, errors.
//
// Only the standard library; bench/run.py builds it with `go build` into a temporary
// folder (no binary is kept in the repository). Every target must be on 127.0.0.0/8.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: loadgen burst|smtp [flags]")
	}
	switch os.Args[1] {
	case "burst":
		burst(os.Args[2:])
	case "smtp":
		smtpLoad(os.Args[2:])
	default:
		fail("unknown command " + os.Args[1])
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "loadgen:", msg)
	os.Exit(2)
}

func loopbackOnly(host string) {
	ip := net.ParseIP(host)
	if host == "localhost" {
		return
	}
	if ip == nil || !ip.IsLoopback() {
		fail("refusing a target that is not a loopback address: " + host)
	}
}

func emit(v any) {
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(v); err != nil {
		fail(err.Error())
	}
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}

// --- burst ---------------------------------------------------------------------------

type result struct {
	status  int
	err     string
	latency float64 // ms
}

func classify(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.EPIPE):
		return "broken_pipe"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "closed"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return "other"
}

func burst(args []string) {
	fs := flag.NewFlagSet("burst", flag.ExitOnError)
	target := fs.String("url", "", "POST target")
	unique := fs.Int("unique", 500, "registrations with distinct e-mails")
	dup := fs.Int("dup", 100, "duplicates of e-mails of the unique set")
	prefix := fs.String("prefix", "burst", "e-mail prefix (unique per run)")
	timeout := fs.Duration("timeout", 60*time.Second, "per-request timeout")
	_ = fs.Parse(args)
	u, err := url.Parse(*target)
	if err != nil || u.Scheme != "http" {
		fail("need -url http://127.0.0.1:PORT/path")
	}
	loopbackOnly(u.Hostname())
	path := u.RequestURI()
	n := *unique + *dup
	results := make([]result, n)
	conns := make([]net.Conn, n)
	// open every connection first, so that the requests really arrive together
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", u.Host, *timeout)
			if err != nil {
				results[i] = result{err: classify(err)}
				return
			}
			conns[i] = c
		}(i)
	}
	wg.Wait()
	start := make(chan struct{})
	began := time.Now()
	for i := 0; i < n; i++ {
		if conns[i] == nil {
			continue
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := conns[i]
			defer c.Close()
			k := i
			if i >= *unique {
				k = (i - *unique) * 5 % *unique // a duplicate of an earlier e-mail
			}
			body := fmt.Sprintf(`{"name":"Участник %d","email":"%s-%d@example.org",`+
				`"role":"ngo_representative","consent_personal_data":true}`, k, *prefix, k)
			// every request from its own client address, as a rush of visitors
			client := fmt.Sprintf("10.%d.%d.%d", (i>>16)&255, (i>>8)&255, i&255)
			req := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
				"X-Forwarded-For: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
				path, u.Host, client, len(body), body)
			<-start
			t0 := time.Now()
			_ = c.SetDeadline(t0.Add(*timeout))
			if _, err := io.WriteString(c, req); err != nil {
				results[i] = result{err: classify(err)}
				return
			}
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil {
				results[i] = result{err: classify(err), latency: msSince(t0)}
				return
			}
			fields := strings.Fields(line)
			status := 0
			if len(fields) >= 2 {
				status, _ = strconv.Atoi(fields[1])
			}
			results[i] = result{status: status, latency: msSince(t0)}
		}(i)
	}
	close(start)
	wg.Wait()
	elapsed := time.Since(began).Seconds()
	statuses := map[string]int{}
	errs := map[string]int{}
	var lat []float64
	for _, r := range results {
		if r.err != "" {
			errs[r.err]++
			continue
		}
		statuses[strconv.Itoa(r.status)]++
		lat = append(lat, r.latency)
	}
	sort.Float64s(lat)
	emit(map[string]any{
		"requests": n, "unique": *unique, "duplicates": *dup, "seconds": elapsed,
		"statuses": statuses, "errors": errs, "answered": len(lat),
		"p50_ms": percentile(lat, 0.50), "p99_ms": percentile(lat, 0.99),
		"max_ms": percentile(lat, 1.0),
	})
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

// --- smtp ----------------------------------------------------------------------------

type smtpConn struct {
	c net.Conn
	r *bufio.Reader
}

// reply reads one (possibly multi-line) reply and returns its code.
func (s *smtpConn) reply() (int, error) {
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return 0, err
		}
		if len(line) < 4 {
			return 0, fmt.Errorf("short reply %q", line)
		}
		code, err := strconv.Atoi(line[:3])
		if err != nil {
			return 0, err
		}
		if line[3] != '-' {
			return code, nil
		}
	}
}

func (s *smtpConn) expect(want int) error {
	code, err := s.reply()
	if err != nil {
		return err
	}
	if code/100 != want/100 {
		return fmt.Errorf("SMTP reply %d, wanted %d", code, want)
	}
	return nil
}

func message(size int, i int) string {
	var b strings.Builder
	b.WriteString("From: Bench <bench@nkohub.local>\r\nTo: follower@example.org\r\n")
	b.WriteString(fmt.Sprintf("Subject: bench %d\r\nMIME-Version: 1.0\r\n", i))
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n")
	line := strings.Repeat("x", 76) + "\r\n"
	for b.Len() < size {
		b.WriteString(line)
	}
	return b.String()
}

func smtpLoad(args []string) {
	fs := flag.NewFlagSet("smtp", flag.ExitOnError)
	addr := fs.String("addr", "", "127.0.0.1:PORT")
	n := fs.Int("n", 10000, "messages")
	conns := fs.Int("conns", 8, "connections")
	size := fs.Int("size", 6000, "bytes per message")
	_ = fs.Parse(args)
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		fail("need -addr 127.0.0.1:PORT")
	}
	loopbackOnly(host)
	body := message(*size, 0) + ".\r\n"
	var mu sync.Mutex
	sent := 0
	errs := map[string]int{}
	var wg sync.WaitGroup
	began := time.Now()
	for w := 0; w < *conns; w++ {
		count := *n / *conns
		if w < *n%*conns {
			count++
		}
		wg.Add(1)
		go func(w, count int) {
			defer wg.Done()
			done, err := smtpSession(*addr, w, count, body)
			mu.Lock()
			sent += done
			if err != nil {
				errs[err.Error()]++
			}
			mu.Unlock()
		}(w, count)
	}
	wg.Wait()
	elapsed := time.Since(began).Seconds()
	emit(map[string]any{
		"sent": sent, "seconds": elapsed, "rate": float64(sent) / elapsed,
		"connections": *conns, "bytes_per_message": len(body), "errors": errs,
	})
}

func smtpSession(addr string, w, count int, body string) (int, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Minute))
	s := &smtpConn{c: c, r: bufio.NewReaderSize(c, 64*1024)}
	bw := bufio.NewWriterSize(c, 64*1024)
	if err := s.expect(220); err != nil {
		return 0, err
	}
	fmt.Fprintf(bw, "EHLO loadgen%d\r\n", w)
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	if err := s.expect(250); err != nil {
		return 0, err
	}
	envelope := func(i int) {
		fmt.Fprintf(bw, "MAIL FROM:<bench@nkohub.local>\r\nRCPT TO:<f%d-%d@example.org>\r\nDATA\r\n", w, i)
	}
	envelope(0)
	for i := 0; i < count; i++ {
		if err := bw.Flush(); err != nil {
			return i, err
		}
		for _, want := range []int{250, 250, 354} {
			if err := s.expect(want); err != nil {
				return i, err
			}
		}
		bw.WriteString(body)
		if i+1 < count {
			envelope(i + 1) // the next envelope rides with this message's end
		}
		if err := bw.Flush(); err != nil {
			return i, err
		}
		if err := s.expect(250); err != nil {
			return i, err
		}
	}
	fmt.Fprintf(bw, "QUIT\r\n")
	_ = bw.Flush()
	return count, nil
}
