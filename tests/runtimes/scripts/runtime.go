// A Go program as users build it, run in the image as on the host: goroutines over several
// threads, channels, files, crypto/sha256, compress/gzip. Built twice by runtime_test.sh:
// static (CGO_ENABLED=0) and with cgo against the system's glibc (build tag "cgo", which adds
// a call into libc through cgo_libc.go). Every line is deterministic.
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
)

func chain(seed int, rounds int) string {
	digest := sha256.Sum256([]byte(fmt.Sprint(seed)))
	for i := 0; i < rounds; i++ {
		digest = sha256.Sum256(digest[:])
	}
	return fmt.Sprintf("%x", digest[:6])
}

func main() {
	runtime.GOMAXPROCS(4)
	var text strings.Builder
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&text, "line %d of the gzip input\n", i)
	}
	var packed bytes.Buffer
	w, _ := gzip.NewWriterLevel(&packed, gzip.BestCompression)
	w.Write([]byte(text.String()))
	w.Close()
	fmt.Println("gzip:", text.Len(), "->", packed.Len(), fmt.Sprintf("%x", sha256.Sum256(packed.Bytes()))[:16])

	results := make(chan string, 16)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			results <- fmt.Sprintf("%d:%s", g, chain(g, 2000))
		}(g)
	}
	wg.Wait()
	close(results)
	var all []string
	for r := range results {
		all = append(all, r)
	}
	sort.Strings(all)
	fmt.Println("goroutines:", len(all), all[0], all[15])

	if err := os.WriteFile("go-file.txt", []byte(text.String()), 0o644); err != nil {
		fmt.Println("write:", err)
		os.Exit(1)
	}
	f, err := os.OpenFile("go-file.txt", os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		fmt.Println("append:", err)
		os.Exit(1)
	}
	f.WriteString("tail\n")
	f.Close()
	back, _ := os.ReadFile("go-file.txt")
	info, _ := os.Stat("go-file.txt")
	fmt.Println("files:", len(back), strings.Count(string(back), "\n"), info.Size(), info.Mode())
	os.Rename("go-file.txt", "go-renamed.txt")
	entries, _ := os.ReadDir(".")
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "go-") {
			names = append(names, e.Name())
		}
	}
	fmt.Println("files after rename:", strings.Join(names, ","))
	fmt.Println("libc:", libcCall())
}
