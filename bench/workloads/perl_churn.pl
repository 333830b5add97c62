# Workload for bench/run.sh: hash and string churn in perl.
# usage: perl perl_churn.pl [SCALE]     prints one checksum line
use strict;
use warnings;

my $scale = @ARGV ? $ARGV[0] : 1.0;
my $rounds = int(7 * $scale + 0.5);
$rounds = 1 if $rounds < 1;
# Own LCG: perl's srand/rand sequence differs between builds.
my $state = 12345;
sub rnd { my ($n) = @_; $state = ($state * 1103515245 + 12345) % 2147483648; return $state % $n; }

my $total = 0;
for my $r (1 .. $rounds) {
    my %h;
    for my $i (1 .. 30000) {
        my $k = "key" . rnd(40000) . ("z" x rnd(30));
        $h{$k} .= "v$i,";
    }
    for my $k (keys %h) { delete $h{$k} if length($k) % 3 == 0; }
    my @words = map { "w" . rnd(1000000) } 1 .. 30000;
    my $s = join(" ", @words);
    my @parts = sort split / /, $s;
    my $cat = "";
    $cat .= uc($_) . reverse($_) for @parts[0 .. 9999];
    my %count;
    $count{substr($_, 0, 3)}++ for @parts;
    my @aoh = map { { id => $_, name => "n$_", list => [ 1 .. ($_ % 5) ] } } 1 .. 15000;
    $total += scalar(keys %h) + length($s) + length($cat) + scalar(keys %count) + scalar(@aoh);
}
print "perl checksum $total rounds $rounds\n";
