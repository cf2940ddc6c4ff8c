<?php
// PHP CLI from Debian's packages, in the image as on the host: built-in hash, zlib, json,
// openssl, pcre, and the shared extensions ffi (needs libffi) and ctype loaded from
// php8.2-common. Every line is deterministic, so the guest's output must equal the host's.
$text = '';
for ($i = 0; $i < 2000; $i++) $text .= "line $i of the zlib input\n";
$packed = gzcompress($text, 9);
echo "zlib: ", strlen($text), " -> ", strlen($packed), " ", var_export(gzuncompress($packed) === $text, true), "\n";
echo "hash: ", substr(hash('sha256', 'unikernel'), 0, 32), " ", md5($text), "\n";
echo "hmac: ", hash_hmac('sha256', 'message', 'key'), "\n";
echo "openssl: ", bin2hex(openssl_encrypt('sixteen byte msg', 'aes-256-cbc', str_repeat('k', 32), OPENSSL_RAW_DATA, str_repeat("\7", 16))), "\n";
echo "json: ", json_encode(['a' => [1, 2.5, null, true], 'b' => 'ü'], JSON_UNESCAPED_UNICODE), "\n";
echo "pcre: ", preg_replace('/(\d+)/', '<$1>', 'a1b22c333'), "\n";
echo "ctype: ", var_export(ctype_digit('12345'), true), " ", var_export(ctype_alpha('ab1'), true), "\n";
$ffi = FFI::cdef("size_t strlen(const char *s); int abs(int j);", "libc.so.6");
echo "ffi: ", $ffi->strlen("unikernel"), " ", $ffi->abs(-42), "\n";
file_put_contents('php-file.txt', $text);
file_put_contents('php-file.txt', "tail\n", FILE_APPEND);
$back = file_get_contents('php-file.txt');
clearstatcache();
echo "files: ", strlen($back), " ", count(explode("\n", $back)), " ", filesize('php-file.txt'), "\n";
rename('php-file.txt', 'php-renamed.txt');
echo "files after rename: ", implode(',', glob('php-*')), "\n";
echo "sort: ", implode(',', (function () { $a = [5, 3, 9, 1, 7]; sort($a); return $a; })()), "\n";
