# Run by perl inside the unikernel and on the host; debian_test.sh compares the two outputs
# byte for byte. Uses modules from perl-base (strict, List::Util, POSIX, Fcntl) and one XS
# module from perl (Digest::MD5), reads a file, sorts, matches, and exits with a status.
use strict;
use warnings;
use Fcntl qw(O_RDONLY SEEK_SET);
use List::Util qw(sum max first);
use POSIX qw(floor);
use Digest::MD5 qw(md5_hex);

my ($input, $status) = @ARGV;
sysopen(my $fh, $input, O_RDONLY) or die "open $input: $!";
my $data = do { local $/; <$fh> };
printf "read %d bytes, md5 %s\n", length $data, md5_hex($data);
seek($fh, 6, SEEK_SET) or die "seek: $!";
read($fh, my $chunk, 9) == 9 or die "read: $!";
print "at offset 6: '$chunk'\n";
close $fh;

my %len;
my @lines = split /\n/, $data;
for my $line (@lines) {
  $len{$_}++ for map { length } ($line =~ /(\w+)/g);
}
my @by_len = sort { $len{$b} <=> $len{$a} || $a <=> $b } keys %len;
printf "%d lines, longest %d, most common word length %d (x%d)\n",
  scalar @lines, max(map { length } @lines), $by_len[0], $len{ $by_len[0] };
my $first = first { /kernel/ } @lines;
print "first with 'kernel': $first\n";

my @squares = map { $_ * $_ } 1 .. 20000;
printf "sum of squares %d, floor %d\n", sum(@squares), floor(-2.5);
my $packed = pack("NnC", 0xdeadbeef, 513, 7);
printf "pack %s unpack %s\n", unpack("H*", $packed), join(",", unpack("NnC", $packed));
my $ok = eval { die { code => 17 } ; 1 };
printf "eval %s code %d\n", defined $ok ? "ok" : "died", $@->{code};
(my $shout = "hello unikernel") =~ s/(\w+)/\u$1/g;
print "$shout, GREETING=$ENV{GREETING}\n";
printf "float %.12f %e\n", atan2(1, 1) * 4, 1 / 3;
exit $status;
