/*
 * nfcapd.c - reading nfcapd files by running nfdump as a child:
 *   nfdump -r FILE -o csv     (one file)
 *   nfdump -R DIR  -o csv     (every file under a directory)
 * with TZ=UTC, because nfdump prints local time and the CSV carries no
 * zone.  Flags as for nfdump 1.7.1 (Debian 12); its CSV is parsed by
 * nfdump-csv.c.  nfdump 1.7.1 exits 0 even when a file is truncated or
 * not an nfcapd file ("appendix offset error", "bad magic"), printing
 * only to stderr: so its stderr goes to a temporary file, is relayed with
 * the command named, and an error there fails the read.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "input-int.h"
#include "util.h"

int flow_read_nfcapd(const char *path, int strict, flow_sink sink, void *arg,
    struct flow_input_stats *st)
{
	const char *prog = getenv("FLOWGRAB_NFDUMP");
	struct stat sb;
	char name[512];
	int fds[2] = {-1, -1}, rc, status, failed = 0;
	FILE *f, *errf;
	char line[512];
	pid_t pid;

	if (!prog || !*prog)
		prog = "nfdump";
	if (stat(path, &sb) < 0) {
		fg_error("%s: %s", path, strerror(errno));
		return FLOW_E_IO;
	}
	snprintf(name, sizeof(name), "%s %s %s", prog, S_ISDIR(sb.st_mode) ? "-R" : "-r", path);
	errf = tmpfile();
	if (!errf || pipe(fds) < 0) {
		fg_error("%s: pipe: %s", name, strerror(errno));
		if (errf)
			fclose(errf);
		return FLOW_E_IO;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fg_error("%s: fork: %s", name, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		fclose(errf);
		return FLOW_E_IO;
	}
	if (pid == 0) {
		char opt_r[] = "-r", opt_R[] = "-R", opt_o[] = "-o", csv[] = "csv";
		char *argv[] = {(char *)prog, S_ISDIR(sb.st_mode) ? opt_R : opt_r,
		    (char *)path, opt_o, csv, NULL};

		dup2(fds[1], STDOUT_FILENO);
		dup2(fileno(errf), STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		setenv("TZ", "UTC", 1);
		execvp(prog, argv);
		fprintf(stderr, "%s: cannot run %s: %s\n", fg_progname(), prog, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (!f) {
		close(fds[0]);
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
		fclose(errf);
		return FLOW_E_IO;
	}
	rc = flow_read_stream(f, name, "nfdump-csv", strict, sink, arg, st);
	if (rc)
		kill(pid, SIGTERM);  /* we stopped reading: do not let it block */
	fclose(f);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	rewind(errf);
	while (fgets(line, sizeof(line), errf)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		fg_error("%s: %s", name, line);
		if (strcasestr(line, "error") || strcasestr(line, "bad magic") ||
		    strcasestr(line, "not a file") || strcasestr(line, "cannot run"))
			failed = 1;
	}
	fclose(errf);
	if (rc == 0 && failed) {
		rc = FLOW_E_IO;
	} else if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		if (WIFEXITED(status))
			fg_error("%s: exited with status %d", name, WEXITSTATUS(status));
		else
			fg_error("%s: killed by signal %d", name, WTERMSIG(status));
		rc = FLOW_E_IO;
	}
	return rc;
}
