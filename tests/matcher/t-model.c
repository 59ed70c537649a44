/*
 * t-model.c - unit tests of the download model's terms (matcher/model.c),
 * each against a value computed by hand (the arithmetic is in the
 * comments).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "conn.h"
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

/* The odds a base rate of prior odds 1, weighing 50 lookups, learns from
 * @n lookups each unknown with probability @p. */
static double learned_odds(int n, double p)
{
	struct model_base_rate b;
	int i;

	model_base_rate_init(&b, 1, 50);
	for (i = 0; i < n; i++)
		model_base_rate_seen(&b, p);
	return model_base_rate_odds(&b);
}

int main(void)
{
	struct model_overhead o;
	struct model_segments sg;
	struct model_extra x;
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
	/* TLS: a SACK option's 12 bytes further, or one fewer, has prior
	 * 0.1 */
	overhead(&o, 0.15, 1);
	ok(near(model_overhead_like(&o, 12, 1, 0, 0), 0.1 * 0.999142, 1e-4),
	    "TLS, 12 bytes above: one SACK option copy, 0.1 x 0.99914");
	ok(near(model_overhead_like(&o, -12, 1, 0, 0), 0.1 * 0.999142, 1e-4),
	    "TLS, 12 bytes below: the overhead learned was a copy, 0.1 x 0.99914");
	ok(near(model_overhead_like(&o, 24, 1, 0, 0), 0.002 * 0.999142, 1e-4) &&
	    model_overhead_like(&o, -24, 1, 0, 0) == 0,
	    "TLS, 24 bytes above: 0.002 x 0.99914; 24 below: 0");
	ok(near(model_overhead_like(&o, 0, 1, 0, 0), 0.798 * 0.999142, 1e-4),
	    "TLS, at the overhead: no SACK option, 0.798 x 0.99914");
	/* an unlearned TLS server (sd 1500): the SACK option copies as one
	 * Gaussian at their mean shift, 0.048 bytes, within 1e-5 of the
	 * mixture 0.1 N(12) + 0.798 N(0) + 0.1 N(-12) + 0.002 N(-24) */
	{
		struct model_overhead w;
		double want;

		overhead(&w, 1500, 1);
		want = 0;
		for (i = 0; i < 4; i++) {
			static const double pq[4] = { 0.1, 0.798, 0.1, 0.002 };
			double rq = 100.0 - 12 * (i - 1);

			want += pq[i] * w.norm * exp(-rq * rq / (2 * w.var));
		}
		ok(near(model_overhead_like(&w, 100, 1, 0, 0), want, 1e-5),
		    "unlearned TLS: the SACK option copies collapsed, within "
		    "1e-5 of the mixture");
	}
	/* edge: one record (22 bytes) more, each count half */
	ok(near(model_overhead_like(&o, 22, 1, 22, 0), 0.5 * 0.798 * 0.999142,
	    1e-4), "TLS, a record more near a boundary: half of 0.798");
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

	/* observed references: the spread on the same path is
	 * MODEL_OBS_SD_SAME (2) x tolerance whatever the estimates' own;
	 * on another path sqrt(2^2 + 3^2 + 6^2) = 7 */
	ok(model_observed_sd(1, 50, 50, 1) == 2.0 &&
	    model_observed_sd(1, 50, 50, 1.5) == 3.0,
	    "observed, same path: sd 2 x tolerance");
	ok(near(model_observed_sd(0, 3, 6, 1), 7, 1e-12),
	    "observed, another path: sd sqrt(4 + 9 + 36) = 7 (%.3f)",
	    model_observed_sd(0, 3, 6, 1));
	/* the segment priors without loss evidence: p0 = 1 - 0.005 - 0.01
	 * = 0.985; k = 1: 0.01 x 1/3 */
	model_segments_init(&sg, 0, 0.65, 3, 2);
	/* dpay 0 at sd 2: only k = 0 within 6 sd, 0.985 x 1/(2 sqrt(2 pi))
	 * = 0.985 x 0.199471 = 0.196479 */
	l = model_observed_like(&sg, 0, 2, 1448, -2, 3, &i);
	ok(near(l, 0.196479, 1e-5) && i == 0,
	    "observed, payloads equal: 0.19648 (%.6f), k %d", l, i);
	/* one sd off: x e^-0.5 (0.606531) = 0.119171 */
	l = model_observed_like(&sg, 2, 2, 1448, -2, 3, NULL);
	ok(near(l, 0.119171, 1e-5), "observed, 2 bytes off: 0.11917 (%.6f)",
	    l);
	/* a segment counted twice and a byte: k = 1, prior 0.0033333, the
	 * density at r = 1: 0.199471 x e^(-1/8) = 0.176033; 0.00058678 */
	l = model_observed_like(&sg, 1449, 2, 1448, -2, 3, &i);
	ok(near(l, 0.00058678, 1e-4) && i == 1,
	    "observed, one segment more: 0.00058678 (%.8f), k %d", l, i);
	/* ... but not where no segment may be extra */
	ok(model_observed_like(&sg, 1449, 2, 1448, -2, 0, NULL) == 0,
	    "observed, one segment more where none may be: 0");
	/* 13 bytes off at sd 2: beyond 6 sd */
	ok(model_observed_like(&sg, 13, 2, 1448, -2, 3, NULL) == 0,
	    "observed, 13 bytes off at sd 2: 0");
	/* below 1 byte a whole byte's mass: sd 0.5, erf(0.7071) = 0.682689,
	 * x 0.985 = 0.672449 */
	l = model_observed_like(&sg, 0, 0.5, 1448, 0, 0, NULL);
	ok(near(l, 0.672449, 1e-5), "observed, sd 0.5: a byte's mass 0.67245 "
	    "(%.6f)", l);
	/* the same file crawled, a learned HTTP server (sd 1, 0.9 of the
	 * mass): 0.9 x 0.39894 = 0.359; its reference measured on another
	 * path with estimates of sd 3 and 6 (sd 7): 0.985 / (7 sqrt(2 pi))
	 * = 0.05614; on the same path 3.5 times that */
	l = model_observed_like(&sg, 0, model_observed_sd(0, 3, 6, 1), 1448,
	    -2, 3, NULL);
	ok(near(l, 0.056136, 1e-4) && near(model_observed_like(&sg, 0,
	    model_observed_sd(1, 3, 6, 1), 1448, -2, 3, NULL) / l, 3.5, 1e-9),
	    "observed on another path: 0.05614 (%.6f), the same path 3.5 "
	    "times as likely", l);

	/* the final short segment (871 bytes) resent by this side, at share
	 * 0.05: half of it at dpay - 871 = 0, 0.025 x 0.196479 = 0.0049120;
	 * by the reference: the same at dpay = -871; one byte off the
	 * length at sd 2: x e^(-1/8); a length no side gives: 0 */
	l = model_observed_resend_like(&sg, 871, 2, 1448, -2, 3, 871, 0.05);
	ok(near(l, 0.0049120, 1e-5) && near(model_observed_resend_like(&sg,
	    -871, 2, 1448, -2, 3, 871, 0.05), l, 1e-12),
	    "observed, the last segment resent by either side: 0.0049120 "
	    "(%.7f)", l);
	ok(near(model_observed_resend_like(&sg, 872, 2, 1448, -2, 3, 871,
	    0.05) / l, exp(-1.0 / 8), 1e-6) &&
	    model_observed_resend_like(&sg, 500, 2, 1448, -2, 3, 871, 0.05) ==
	    0 && model_observed_resend_like(&sg, 871, 2, 1448, -2, 3, 871,
	    0) == 0, "observed resend: a byte off at sd 2 x e^-1/8; another "
	    "residue, or share 0: 0");

	/* null: 20 downloads in 2000 bytes is 0.01 per byte, odds 2,
	 * 3 tries: 0.06; a sparse window is held at its floor */
	l = model_null_like(20, 2000, 1e-5, 2, 3);
	ok(near(l, 0.06, 1e-9) && near(model_null_like(1, 1e6, 1e-5, 1, 1),
	    1e-5, 1e-9), "not in the store: density x odds x tries, floored");

	/* base rate, prior odds 1 as 50 lookups: 450 lookups each 0.9
	 * unknown give p = (405 + 25) / 500 = 0.86, odds 6.143; 2,000 each
	 * 0.999 are capped at 50 times the prior's odds; 450 each 0.1 are
	 * held at the prior's */
	l = learned_odds(450, 0.9);
	ok(near(l, 0.86 / 0.14, 1e-6), "base rate learned: odds 6.143 (%.3f)", l);
	l = learned_odds(2000, 0.999);
	ok(near(l, 50, 1e-9), "base rate: at most 50 times the prior odds (%.3f)", l);
	l = learned_odds(450, 0.1);
	ok(near(l, 1, 1e-9), "base rate: never below the prior odds (%.3f)", l);

	/* overhead run: the recurrence gives what the term gives k by k
	 * (an unlearned HTTP server, sd 100, and TLS, sd 1,500 collapsed
	 * over its SACK copies; a learned one, sd 0.3, k by k) */
	{
		static const double sds[3] = { 100, 1500, 0.3 };
		double run[20], worst = 0;
		int t, k;

		for (t = 0; t < 3; t++) {
			overhead(&o, sds[t], t == 1);
			model_overhead_run(&o, 9000.5, 1448, 20, 0.7, 0, 0, run);
			for (k = 0; k < 20; k++) {
				double want = model_overhead_like(&o, 9000.5 -
				    k * 1448.0, 0.7, 0, 0);
				double d = fabs(run[k] - want);

				if (want > 0)
					d /= want;
				else if (run[k] != 0)
					d = 1;
				if (d > worst)
					worst = d;
			}
		}
		ok(worst < 1e-12, "overhead run: the term k by k, to 1e-12 "
		    "(%.2g)", worst);
	}

	/* chance agreement: three connections each voting for a value with
	 * p 0.5, two or more of them: 3 x 0.25 x 0.5 + 0.125 = 0.5, of 10
	 * values 5 */
	{
		double half[3] = { 0.5, 0.5, 0.5 }, two[2] = { 0.1, 0.2 };
		double dense[16];

		l = model_chance_agreement(3, half, 10, 2);
		ok(near(l, 5, 1e-12), "chance agreement: 2 of 3 at p 0.5 over "
		    "10 values: 5 (%.6f)", l);
		/* unequal chances: both, 0.1 x 0.2 = 0.02; either,
		 * 1 - 0.9 x 0.8 = 0.28; of 100 values */
		l = model_chance_agreement(2, two, 100, 2);
		ok(near(l, 2, 1e-12), "chance agreement: both of p 0.1 and 0.2 "
		    "over 100 values: 2 (%.6f)", l);
		l = model_chance_agreement(2, two, 100, 1);
		ok(near(l, 28, 1e-12), "chance agreement: either: 28 (%.6f)", l);
		/* the matrix's seed 5 (docs/matching.md section 4): 16
		 * connections with about 2,100 candidates over 60,000 values
		 * each (p 0.035), a million values in all: six or more agree
		 * with probability sum_{j>=6} C(16,j) 0.035^j 0.965^(16-j)
		 * = 1.08654e-5, so 10.865 values do by chance */
		for (i = 0; i < 16; i++)
			dense[i] = 0.035;
		l = model_chance_agreement(16, dense, 1e6, 6);
		ok(near(l, 10.865384, 1e-5), "chance agreement: 6 of 16 at p "
		    "0.035 over 1e6 values: 10.865 (%.4f)", l);
		/* a known server's own candidates: 8 connections at p 0.001
		 * over 500,000 values, three agreeing: 500,000 x 5.579e-8 =
		 * 0.0279 */
		for (i = 0; i < 8; i++)
			dense[i] = 0.001;
		l = model_chance_agreement(8, dense, 5e5, 3);
		ok(near(l, 0.0278952, 1e-5), "chance agreement: 3 of 8 at p "
		    "0.001 over 5e5 values: 0.0279 (%.5f)", l);
		ok(model_chance_agreement(3, half, 10, 4) == 0 &&
		    model_chance_agreement(3, half, 10, 0) == 10 &&
		    model_chance_agreement(0, half, 10, 1) == 0,
		    "chance agreement: more than all, none needed, no connection");
	}
	/* whether the transfer was seen to end */
	{
		const unsigned sa = CONN_TCP_SYN | CONN_TCP_ACK;

		ok(model_end_like(sa | CONN_TCP_FIN, sa | CONN_TCP_FIN, 0) == 1 &&
		    model_end_like(sa, sa | CONN_TCP_FIN, 0) == 1 &&
		    model_end_like(sa, sa | CONN_TCP_RST, 0) == 1,
		    "end: a FIN or RST either way: 1");
		ok(near(model_end_like(sa, sa, 0), 0.05, 1e-12),
		    "end: flags but no FIN nor RST: 0.05");
		ok(model_end_like(0, 0, 0) == 1 && model_end_like(sa, sa, 1) == 1,
		    "end: no flags recorded, or a sampling exporter: 1");
	}
	return done_testing();
}
