# Perl from Debian's packages, in the image as on the host: XS modules (List::Util from
# perl-base, JSON::XS from libjson-xs-perl), threads are not used (Debian's perl has them,
# but the point here is the XS loading), files. Every line is deterministic.
use strict;
use warnings;
use List::Util qw(sum max first reduce);
use JSON::XS;
use Digest::MD5 qw(md5_hex);

my $text = join '', map { "line $_ of the input\n" } 0 .. 1999;
print "list util: ", sum(1 .. 100), " ", max(3, 9, 2), " ", first { $_ > 3 } (1, 5, 2, 8);
print " ", (reduce { $a * $b } 1 .. 10), "\n";
my $json = JSON::XS->new->canonical;
my $encoded = $json->encode({ a => [1, 2.5, undef, JSON::XS::true], b => "text", c => { d => 4 } });
print "json xs: $encoded\n";
my $decoded = $json->decode('{"x":[1,2,3],"y":{"z":"w"}}');
print "json xs decode: ", sum(@{ $decoded->{x} }), " $decoded->{y}{z}\n";
print "md5: ", md5_hex($text), "\n";
open(my $out, '>', 'perl-file.txt') or die "open: $!";
print $out $text;
close $out;
open($out, '>>', 'perl-file.txt') or die "append: $!";
print $out "tail\n";
close $out;
open(my $in, '<', 'perl-file.txt') or die "read: $!";
my @lines = <$in>;
close $in;
print "files: ", scalar(@lines), " ", -s 'perl-file.txt', "\n";
rename 'perl-file.txt', 'perl-renamed.txt' or die "rename: $!";
opendir(my $dir, '.') or die "opendir: $!";
print "files after rename: ", join(',', sort grep { /^perl-/ } readdir $dir), "\n";
print "sprintf: ", sprintf("%.10f %e %x", 1 / 7, 12345.678, 255), "\n";
