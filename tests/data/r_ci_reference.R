# Reference values from R's `survey` for Setara's intervals and national comparisons.
#
# Regenerate (from the repository root):
#   Rscript tests/data/r_ci_reference.R
# Reads tests/data/api*.csv (copies of R survey's `api` data, see R_REFERENCE.md) and writes
# tests/data/r_ci_expected.csv with columns
#   case,kind,variable,domain,estimate,se,ci_low,ci_high
# kind: `logit` and `beta` rows are svyciprop(method = kind) at level 0.95, with the domain's
#   own df inside svyby (subset designs); `diff` rows hold the domain estimate minus the
#   national one (estimate) and its standard error (se), from svycontrast over svytotal
#   (linearized designs) or from the replicate estimates of both (JK1).
# Numbers are printed with sprintf("%.15g").

suppressPackageStartupMessages(library(survey))

script_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
data_dir <- if (length(script_arg)) {
  dirname(normalizePath(sub("^--file=", "", script_arg[1])))
} else {
  file.path("tests", "data")
}
cat(R.version.string, "\n")
cat("survey version:", as.character(packageVersion("survey")), "\n")

read_api <- function(name) {
  frame <- read.csv(file.path(data_dir, paste0(name, ".csv")), stringsAsFactors = FALSE)
  frame$hi700 <- as.numeric(frame$api00 > 700)
  frame$wide <- as.numeric(frame$sch.wide == "Yes")
  frame
}
apistrat <- read_api("apistrat")
apiclus1 <- read_api("apiclus1")
apiclus2 <- read_api("apiclus2")

designs <- list(
  clus1 = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1),
  strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat),
  clus2 = svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
)

rows <- list()
fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.15g", as.numeric(x)))
add <- function(case, kind, variable, domain, estimate, se, low, high) {
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, kind = kind, variable = variable, domain = domain,
    estimate = fmt(estimate), se = fmt(se), ci_low = fmt(low), ci_high = fmt(high),
    stringsAsFactors = FALSE
  )
}

for (case in names(designs)) {
  d <- designs[[case]]
  for (variable in c("hi700", "wide")) {
    f <- as.formula(paste0("~", variable))
    for (method in c("logit", "beta")) {
      p <- svyciprop(f, d, method = method)
      ci <- attr(p, "ci")
      add(case, method, variable, "all", coef(p), SE(p), ci[1], ci[2])
      by <- svyby(f, ~stype, d, svyciprop, method = method, vartype = c("se", "ci"))
      for (i in seq_len(nrow(by))) {
        add(case, method, variable, as.character(by$stype[i]), by[i, variable], by$se[i],
            by$ci_l[i], by$ci_u[i])
      }
    }
  }
  # domain minus nation: ratios of totals with their covariance (delta method)
  for (variable in c("hi700", "api00")) {
    dd <- update(d, one = 1, y = get(variable))
    levels <- sort(unique(dd$variables$stype))
    for (s in levels) {
      dd$variables[[paste0("y_", s)]] <- dd$variables$y * (dd$variables$stype == s)
      dd$variables[[paste0("n_", s)]] <- as.numeric(dd$variables$stype == s)
    }
    terms <- c("y", "one", paste0("y_", levels), paste0("n_", levels))
    tot <- svytotal(as.formula(paste("~", paste(terms, collapse = "+"))), dd)
    for (s in levels) {
      expr <- parse(text = sprintf("y_%s / n_%s - y / one", s, s))[[1]]
      con <- svycontrast(tot, expr)
      add(case, "diff", variable, s, coef(con), SE(con), NA, NA)
    }
  }
}

# created JK1 replicates (no fpc): beta interval overall, and domain minus nation from the
# replicate estimates of both
d_jk1 <- as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, data = apiclus1), type = "JK1")
for (variable in c("hi700", "wide")) {
  p <- svyciprop(as.formula(paste0("~", variable)), d_jk1, method = "beta")
  ci <- attr(p, "ci")
  add("jk1", "beta", variable, "all", coef(p), SE(p), ci[1], ci[2])
}
for (variable in c("hi700", "api00")) {
  f <- as.formula(paste0("~", variable))
  nat <- svymean(f, d_jk1, return.replicates = TRUE)
  by <- svyby(f, ~stype, d_jk1, svymean, return.replicates = TRUE)
  reps <- attr(by, "replicates")
  for (i in seq_len(nrow(by))) {
    diff_reps <- reps[, i] - as.numeric(nat$replicates)
    diff <- by[i, variable] - coef(nat)[1]
    v <- survey:::svrVar(diff_reps, d_jk1$scale, d_jk1$rscales, mse = d_jk1$mse, coef = diff)
    add("jk1", "diff", variable, as.character(by$stype[i]), diff, sqrt(v[1]), NA, NA)
  }
}

out <- do.call(rbind, rows)
write.csv(out, file.path(data_dir, "r_ci_expected.csv"), row.names = FALSE, quote = FALSE)
cat("wrote", nrow(out), "rows\n")
