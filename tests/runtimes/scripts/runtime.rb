# Ruby from Debian's packages, in the image as on the host: threads, the C extensions of
# libruby (zlib, digest, json, openssl), files. Every line is deterministic, so the guest's
# output must equal the host's byte for byte.
require 'digest'
require 'json'
require 'openssl'
require 'zlib'

text = (0...2000).map { |i| "line #{i} of the zlib input\n" }.join
packed = Zlib::Deflate.deflate(text, Zlib::BEST_COMPRESSION)
puts "zlib: #{text.bytesize} -> #{packed.bytesize} #{Zlib::Inflate.inflate(packed) == text}"
puts "digest: #{Digest::SHA256.hexdigest('unikernel')[0, 32]} #{Digest::MD5.hexdigest(text)}"
puts "openssl hmac: #{OpenSSL::HMAC.hexdigest('SHA256', 'key', 'message')}"
puts "json: #{JSON.generate({ 'a' => [1, 2.5, nil, true], 'b' => 'ü' })}"
puts "encoding: #{'grüße'.encode('UTF-16LE').bytesize} #{'grüße'.upcase} #{'abc'.encoding}"

queue = Queue.new
threads = (0...4).map do |t|
  Thread.new do
    digest = t.to_s
    300.times { digest = Digest::SHA256.hexdigest(digest) }
    queue << [t, digest[0, 12]]
  end
end
threads.each(&:join)
puts "threads: #{Array.new(4) { queue.pop }.sort.inspect}"

File.write('ruby-file.txt', text)
File.open('ruby-file.txt', 'a') { |f| f.puts 'tail' }
back = File.read('ruby-file.txt')
puts "files: #{back.bytesize} #{back.lines.size} #{File.size('ruby-file.txt')}"
File.rename('ruby-file.txt', 'ruby-renamed.txt')
puts "files after rename: #{Dir.glob('ruby-*').sort.join(',')}"
