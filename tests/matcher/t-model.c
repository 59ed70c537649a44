/*
 * t-model.c - unit tests of the download model's terms (matcher/model.c),
 * each against a value computed by hand (the arithmetic is in the
 * comments).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "model.h"
#include "../tap.h"

static int near(double got, double want, double rel)
{
	return fabs(got - want) <= rel * fabs(want) + 1e-12;
}

static void overhead(struct model_overhead *o, double sd, int tls)
{
	memset(o, 0, sizeof(*o));
	o->center = 250;
	o->sd = sd;
	o->var = sd * sd;
	o->norm = 1 / sqrt(2 * M_PI * o->var);
	o->tls = tls;
	o->omin = 40;
	o->omax = 1500;
}

int main(void)
{
	struct model_overhead o;
	struct model_segments sg;
	struct model_extra x;
	struct model_base_rate b;
	double l, lens[2];
	int i;

	/* byte_like: sd 0.15, r = 0: the mass of [-0.5, 0.5] is
	 * erf(0.5 / (0.15 sqrt 2)) = erf(2.357) = 0.999142 */
	ok(near(model_byte_like(0, 0.15, 0, 0), 0.999142, 1e-4),
	    "a byte at sd 0.15 holds 0.99914 (%.6f)",
	    model_byte_like(0, 0.15, 0, 0));
	/* r = 1: (erfc(0.5/0.2121) - erfc(1.5/0.2121)) / 2 = erfc(2.357)/2
	 * = 0.000429 */
	ok(near(model_byte_like(1, 0.15, 0, 0), 0.000429, 0.01),
	    "a byte off at sd 0.15: 0.000429 (%.6f)",
	    model_byte_like(1, 0.15, 0, 0));
	/* sd 100, r = 100: the density 1/(100 sqrt(2 pi)) e^-0.5
	 * = 0.003989 x 0.60653 = 0.0024197 */
	ok(near(model_byte_like(100, 100, 1 / (100 * sqrt(2 * M_PI)), 1e4),
	    0.0024197, 1e-4), "sd 100 at one sd: the Gaussian density");

	/* the overhead term, HTTP, no second overhead: wmix x byte_like */
	overhead(&o, 0.15, 0);
	ok(near(model_overhead_like(&o, 0, 0.9, 0, 0), 0.9 * 0.999142, 1e-4),
	    "overhead term at 0: 0.9 x 0.99914");
	ok(model_overhead_like(&o, 5, 0.9, 0, 0) == 0,
	    "overhead term 5 bytes off at sd 0.15: beyond 6 sd, 0");
	/* TLS: a SACK option's 12 bytes further has prior 0.1 */
	overhead(&o, 0.15, 1);
	ok(near(model_overhead_like(&o, 12, 1, 0, 0), 0.1 * 0.999142, 1e-4),
	    "TLS, 12 bytes above: one SACK option copy, 0.1 x 0.99914");
	ok(near(model_overhead_like(&o, 0, 1, 0, 0), 0.898 * 0.999142, 1e-4),
	    "TLS, at the overhead: no SACK option, 0.898 x 0.99914");
	/* an unlearned TLS server (sd 1500): the SACK option copies as one
	 * Gaussian at their mean shift, 1.248 bytes, within 1e-5 of the
	 * mixture 0.898 N(0) + 0.1 N(-12) + 0.002 N(-24) */
	{
		struct model_overhead w;
		double want;

		overhead(&w, 1500, 1);
		want = 0;
		for (i = 0; i < 3; i++) {
			static const double pq[3] = { 0.898, 0.1, 0.002 };
			double rq = 100.0 - 12 * i;

			want += pq[i] * w.norm * exp(-rq * rq / (2 * w.var));
		}
		ok(near(model_overhead_like(&w, 100, 1, 0, 0), want, 1e-5),
		    "unlearned TLS: the SACK option copies collapsed, within "
		    "1e-5 of the mixture");
	}
	/* edge: one record (22 bytes) more, each count half */
	ok(near(model_overhead_like(&o, 22, 1, 22, 0), 0.5 * 0.898 * 0.999142,
	    1e-4), "TLS, a record more near a boundary: half of 0.898");
	/* a second overhead 9 bytes below with share 0.25 */
	overhead(&o, 0.15, 0);
	o.d2 = -9;
	o.w2 = 0.25;
	ok(near(model_overhead_like(&o, -9, 1, 0, 0), 0.25 * 0.999142, 1e-4),
	    "second overhead: its share 0.25 x 0.99914");
	ok(near(model_overhead_like(&o, 0, 1, 0, 0), 0.75 * 0.999142, 1e-4),
	    "first overhead: 0.75 x 0.99914");
	/* the other hex model: hexalt 1 means one hex digit more */
	o.d2 = 0;
	o.w2 = 0;
	ok(near(model_overhead_like(&o, -1, 1, 0, 1), 0.5 * 0.999142, 1e-4),
	    "the other hex model: half");

	/* the floor: 0.2 over [40, 1500] is 0.2 / 1461 per byte */
	overhead(&o, 100, 0);
	o.floor = 0.2;
	o.flat = 0.2 / 1461;
	ok(near(model_floor_like(&o, 700, 1), 0.2 / 1461, 1e-9),
	    "the unlearned floor inside [40, 1500]");
	ok(model_floor_like(&o, 1600, 1) == 0, "... and none far above it");

	/* extra bytes: share 0.1 over [-2 sd, 2896] at sd 0.15:
	 * 0.1 / 2896.3 */
	memset(&x, 0, sizeof(x));
	x.share = 0.1;
	x.width = 2896;
	x.density = 0.1 / (2896 + 0.3);
	ok(near(model_extra_like(&x, 0.15, 100), 0.1 / 2896.3, 1e-9),
	    "extra bytes: 0.1 / 2896.3 per byte");
	ok(model_extra_like(&x, 0.15, 3000) == 0, "... none past the width");

	/* resend: a residue of exactly the last segment (1000 bytes) with
	 * share 0.05 over two lengths: 0.05 x 0.99914 / 2 */
	overhead(&o, 0.15, 0);
	x.resend = 0.05;
	lens[0] = 1000;
	lens[1] = 250;
	ok(near(model_resend_like(&x, &o, 1000, lens, 2), 0.05 * 0.999142 / 2,
	    1e-4), "resent last segment: 0.05 x 0.99914 / 2");
	ok(model_resend_like(&x, &o, 1003, lens, 2) == 0,
	    "a residue 3 bytes from every short segment: none");

	/* segments: lossy, p0 0.65, mean 4 retransmitted, 2 lost:
	 * k = 0: 0.65; k = 1: (1 - 0.65 - 0.005) x 1/4 = 0.08625;
	 * k = 3: 0.08625 x (3/4)^2 = 0.048516; k = -1: 0.005 / 2 */
	model_segments_init(&sg, 1, 0.65, 4, 2);
	ok(near(model_segments_prior(&sg, 0), 0.65, 1e-12), "k = 0: 0.65");
	ok(near(model_segments_prior(&sg, 1), 0.08625, 1e-9), "k = 1: 0.08625");
	ok(near(model_segments_prior(&sg, 3), 0.048516, 1e-4),
	    "k = 3: 0.048516");
	ok(near(model_segments_prior(&sg, -1), 0.0025, 1e-9), "k = -1: 0.0025");
	{
		double tot = 0;

		for (i = -200; i <= 400; i++)
			tot += model_segments_prior(&sg, i);
		ok(near(tot, 1, 1e-6), "the segment prior sums to 1 (%.8f)",
		    tot);
	}

	/* server address: 1 in 40 of the window's candidates list the flow's
	 * server, h 0.5: a listed one (0.025 + 0.5 x 0.975) / 0.025 = 20.5,
	 * one with other addresses 0.5, one with none 1; at share 0.2 the
	 * old fixed factors, 3 and 0.5; averaged over the window, 1 */
	ok(near(model_server_like(1, 0.025, 0.5), 20.5, 1e-9) &&
	    near(model_server_like(-1, 0.025, 0.5), 0.5, 1e-9) &&
	    model_server_like(0, 0.025, 0.5) == 1,
	    "server address: 20.5 listed, 0.5 elsewhere, 1 unknown");
	ok(near(model_server_like(1, 0.2, 0.5), 3, 1e-9),
	    "server address at share 0.2: the factor 3");
	ok(near(0.025 * model_server_like(1, 0.025, 0.5) + 0.975 *
	    model_server_like(-1, 0.025, 0.5), 1, 1e-9),
	    "server address: 1 averaged over the window");

	/* the mass of a range of k is the sum of its priors */
	{
		static const int r[][2] = { { -5, 7 }, { 0, 0 }, { 3, 3 },
			{ 2, 40 }, { -30, -2 }, { -1, 1 }, { 5, 2 } };
		int j, bad = 0;

		for (j = 0; j < 7; j++) {
			double want = 0;

			for (i = r[j][0]; i <= r[j][1]; i++)
				want += model_segments_prior(&sg, i);
			if (!near(model_segments_mass(&sg, r[j][0], r[j][1]),
			    want, 1e-9))
				bad++;
		}
		ok(!bad, "the mass of a range of k in closed form: the sum "
		    "of its priors (%d of 7 differ)", bad);
		/* ... and from the table, where the allowed k fit it */
		{
			struct model_segments tb = sg;

			model_segments_table(&tb, -30, 40);
			for (bad = 0, j = 0; j < 6; j++)
				if (!near(model_segments_mass(&tb, r[j][0],
				    r[j][1]), model_segments_mass(&sg, r[j][0],
				    r[j][1]), 1e-9) ||
				    !near(model_segments_prior(&tb, r[j][0]),
				    model_segments_prior(&sg, r[j][0]), 1e-12))
					bad++;
			ok(!bad && tb.tn == 71, "the tabulated priors and masses "
			    "are the computed ones (%d differ)", bad);
		}
	}

	/* null: 20 downloads in 2000 bytes is 0.01 per byte, odds 2,
	 * 3 tries: 0.06; a sparse window is held at its floor */
	l = model_null_like(20, 2000, 1e-5, 2, 3);
	ok(near(l, 0.06, 1e-9) && near(model_null_like(1, 1e6, 1e-5, 1, 1),
	    1e-5, 1e-9), "not in the store: density x odds x tries, floored");

	/* base rate: prior odds 1 as 50 lookups; 450 lookups each 0.9
	 * unknown: p = (405 + 25) / 500 = 0.86, learned odds 6.14, taken as
	 * the geometric mean with the prior's 1: 2.478 */
	model_base_rate_init(&b, 1, 50);
	for (i = 0; i < 450; i++)
		model_base_rate_seen(&b, 0.9);
	ok(near(model_base_rate_odds(&b), sqrt(0.86 / 0.14), 1e-6),
	    "base rate learned: odds 2.478 (%.3f)", model_base_rate_odds(&b));
	/* ... and never below the prior's: 450 lookups each 0.1 unknown */
	model_base_rate_init(&b, 1, 50);
	for (i = 0; i < 450; i++)
		model_base_rate_seen(&b, 0.1);
	ok(near(model_base_rate_odds(&b), 1, 1e-9),
	    "base rate: never below the prior odds (%.3f)",
	    model_base_rate_odds(&b));
	return done_testing();
}
