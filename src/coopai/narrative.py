"""The notebooks' sentences that state a number or a conclusion, computed from the run's data.

A notebook's static Markdown explains methods; every sentence that says how many, how much, or
what a test concluded is a function here, rendered as a Markdown output by a code cell, so that
on a user's survey it describes that survey. One template per language (``TEXT["fr"]``,
``TEXT["en"]``), numbers formatted for that language (:func:`number`, :func:`percent`,
:func:`format_p`), and every sentence typeset for it as figures and tables are (:func:`sentence`:
no-break spaces before ``:`` and ``%`` in French, typographic apostrophes, minus signs), its
Markdown code, links and tables left as written. Sentences that describe the published study say so, and are shown only
on rebuilt data.

The tests render every sentence on generated surveys of other sizes and check that none
carries the paper's counts.
"""
from __future__ import annotations

import functools
import inspect
import math
import re

import numpy as np
import pandas as pd

from . import plan, style, tables
from .codebook import category_labels, check_lang
from .contingency import monte_carlo_agrees
from .stats import format_percent, wilson_interval

TEXT = {
    "fr": {
        "published_sample": "Les {n} coopératives de l'étude publiée ont été choisies délibérément à Tanger (l'article "
                            "cible des coopératives déjà engagées dans la transformation numérique) ; elles n'ont pas "
                            "été tirées au hasard.",
        "own_sample": "Ces {n} coopératives viennent du fichier `{file}` ; c'est à la documentation de l'enquête de "
                      "dire comment elles ont été choisies. Si elles n'ont pas été tirées au hasard, lisez les "
                      "intervalles comme un plancher d'incertitude.",
        "width": "Avec n = {n}, un intervalle de Wilson à {level} autour de 50 % s'étend sur environ ±{half} {points} ; "
                 "{which} ({sector}, {m} {cooperatives}), il va de {low} à {high} pour une part "
                 "de {k} sur {m}.",
        "cell_example": "Lisez les colonnes des secteurs avec leur n : {pct} du secteur {sector}, c'est {k} {cooperatives} sur "
                        "{m}, et son intervalle de Wilson à {level} va de {low} à {high}.",
        "digital": "{uses} {cooperatives} {use} au moins un outil numérique ({uses_pct}) et {none} {use_none} "
                   "({none_pct}).",
        "digital_neither": " {unclassified} {is_neither} (`unclassified`).",
        "digital_rebuilt": " Les deux parts publiées laissent ces {unclassified} coopératives hors des deux groupes ; "
                           "la reconstruction garde les deux comptes imprimés et les code `unclassified`.",
        "overlap_rebuilt": "Avec {heard} ayant entendu parler de l'IA, {interested} intéressées et {neither} ni l'un "
                           "ni l'autre, exactement {both} coopératives doivent à la fois connaître l'IA et être "
                           "intéressées (inclusion-exclusion : {heard_k} + {interested_k} − ({n} − {neither_k})).",
        "overlap_observed": "{both} {cooperatives} {know_interested} ; {heard} en ont entendu parler, "
                            "{interested} sont intéressées, {neither} ni l'un ni l'autre.",
        "takeaway_counts_rebuilt": "Chaque compte imprimé par l'article est retrouvé dans les lignes des répondants ; "
                                   "sur les données reconstruites, c'est par construction.",
        "takeaway_counts_observed": "Ces parts sont celles de cette enquête ; le carnet 05 les compare à celles de "
                                    "l'article, chacune avec son n.",
        "takeaway_tests": "Les comparaisons entre secteurs, et les hypothèses H1 et H2, demandent des tests : "
                          "carnets 03 et 04.",
        "takeaway_width": "Sur {n} coopératives, la demi-largeur médiane des intervalles à {level} est de {median} "
                          "{points} (de {lo} à {hi}).",
        "multiplicity": "{m} pratiques sont testées ; avec {m} tests au seuil de {alpha}, la probabilité d'au moins "
                        "une fausse alerte atteint {fwer} (tests indépendants). La correction de Holm la maintient à "
                        "{alpha} sans supposer les tests indépendants.",
        "mc_agree": "Les p de Monte Carlo ((1 + b)/(1 + B), {draws} tirages) et exacts concordent à 4 erreurs-types "
                    "près pour chaque pratique : **{agree}**.",
        "mc_agree_some": "Les p de Monte Carlo ((1 + b)/(1 + B), {draws} tirages) et exacts concordent à 4 "
                         "erreurs-types près pour chaque pratique dont le p est exact ({names}) : **{agree}**. Le p "
                         "principal des autres ({others}) est lui-même l'estimation de Monte Carlo : aucun p exact "
                         "ne permet de le vérifier.",
        "mc_no_exact": "Aucune pratique n'a de p exact sur cette enquête : l'énumération exacte est hors de portée "
                       "à cette taille, donc chaque p principal est l'estimation de Monte Carlo du p du test exact "
                       "((1 + b)/(1 + B), {draws} tirages), avec son erreur-type (`p_monte_carlo_se`), et aucun p "
                       "exact ne permet de la vérifier.",
        "p_methods": "Méthode du p principal : {methods}.",
        "p_method_exact": "exact", "p_method_mc": "Monte Carlo ({draws} tirages)",
        "mc_floor": "Au plancher du Monte Carlo ({names}) : aucun des {draws} tableaux tirés n'est aussi extrême que "
                    "le tableau observé, donc p = {p}, la plus petite valeur que (1 + b)/(1 + B) puisse prendre. "
                    "C'est un p valide, pas une borne du p exact, qui est inférieur à {bound} avec une confiance de "
                    "{level} (0 tirage sur {draws}, Clopper-Pearson).",
        "cochran": "Cellules d'effectif attendu inférieur à 5 : de {lo} à {hi} (la règle de Cochran en admet au "
                   "plus 20 %) ; plus petit effectif attendu : {min_expected}.",
        "cochran_one": "Cellules d'effectif attendu inférieur à 5 : {pct} dans chaque pratique (la règle de Cochran "
                       "en admet au plus 20 %) ; plus petit effectif attendu : {min_expected}.",
        "rejected": "Pratiques dont le test exact rejette l'indépendance après Holm au seuil {alpha} : {names}.",
        "rejected_mc": "Pratiques dont le test rejette l'indépendance après Holm au seuil {alpha}, chaque p étant "
                       "l'estimation de Monte Carlo ({draws} tirages) du p du test exact : {names}.",
        "rejected_mixed": "Pratiques dont le test rejette l'indépendance après Holm au seuil {alpha}, avec la méthode "
                          "de leur p : {names}.",
        "none": "aucune",
        "not_computable": "non calculable", "none_computable": "Aucun test par secteur n'est calculable sur cette "
                                                               "enquête.",
        "yes": "oui", "no": "non",
        "mmi_forms": {"p_bonferroni_exact": "Bonferroni sur les p exacts",
                      "p_bonferroni_asymptotic": "Bonferroni sur les p asymptotiques",
                      "p_rao_scott": "Rao-Scott du second ordre",
                      "p_permutation": "permutation des coopératives entières"},
        "mmi_why": {"p_bonferroni_exact": "des p exacts par pratique",
                    "p_bonferroni_asymptotic": "des approximations du khi-deux, qui demandent des effectifs attendus "
                                               "assez grands",
                    "p_rao_scott": "une approximation pour grands échantillons",
                    "p_permutation": "l'hypothèse nulle plus forte d'indépendance conjointe"},
        "rejects": "rejette", "does_not_reject": "ne rejette pas",
        "mmi_decision": "X2_S = {x2}. Décision (`{key}`, {form}) : p = {p}{se}, {decision} l'indépendance marginale "
                        "multiple au seuil alpha = {alpha}.",
        "mmi_se_draws": " (le plus petit p par pratique est une estimation de Monte Carlo du p exact, {draws} "
                        "tirages ; erreur-type {se})",
        "mmi_form": "{form} : p = {p} ({decision})",
        "mmi_form_nc": "{form} : non calculable (aucune covariance dans les secteurs)",
        "mmi_form_mc": "{form} : p = {p} (erreur-type {se}, {draws} permutations ; {decision})",
        "mmi_form_floor": "{form} : p = {p} (erreur-type {se}, {draws} permutations dont aucune n'atteint le X2_S "
                          "observé : la plus petite valeur que (1 + b)/(1 + B) puisse prendre, un p valide et non "
                          "une borne ; {decision})",
        "mmi_beside": "À côté : {forms}.",
        "mmi_differ": "Les formes n'aboutissent pas toutes à la même décision : {reasons}. La décision est celle de "
                      "la forme déclarée ; les autres montrent combien elle dépend de ce choix.",
        "mmi_reason": "{form} repose sur {why}",
        "mmi_spread": "Sur {datasets} jeux de données (celui-ci et {others} autres reconstructions) : {items}. Un "
                      "écart entre les jeux essayés n'est pas une borne : les vraies réponses des auteurs pourraient "
                      "donner une valeur hors de cet écart.",
        "mmi_same": "{form} identique dans chacun ({p})",
        "mmi_range": "{form} de {lo} à {hi}",
        "mmi_range_se": "{form} de {lo} à {hi} (erreur-type au plus {se})",
        "mmi_constant": "Avec la règle par défaut de MRCV (ajouter 0,5 aux cellules vides), X2_S vaudrait {with_} au "
                        "lieu de {x2}.",
        "mmi_constant_none": "Aucun tableau par pratique n'a de cellule vide : la règle par défaut de MRCV (ajouter "
                             "0,5 aux cellules vides) ne change donc rien ici (X2_S = {x2}).",
        "total_only_rebuilt": "Données reconstruites : l'article ne donne ces {k} variables que pour l'ensemble de "
                              "l'échantillon, donc chaque test par secteur est montré comme une étendue sur toutes "
                              "les répartitions compatibles ; avec les contraintes et les hypothèses de la "
                              "reconstruction, {straddle} des {k} étendues encadrent alpha = {alpha}.",
        "total_only_observed": "Données observées : le secteur de chaque réponse est connu, donc chacune de ces {k} "
                               "variables a un test exact ordinaire (un point, pas une étendue), dans une famille "
                               "déclarée dans le plan (`total_only_observed`, Holm). Après Holm au seuil {alpha} : "
                               "{names}.{how}",
        "total_only_mc": " Chaque p est l'estimation de Monte Carlo ({draws} tirages) du p du test exact : "
                         "l'énumération exacte est hors de portée à cette taille.",
        "total_only_mixed": " Le p de {names} est l'estimation de Monte Carlo ({draws} tirages) du p du test exact "
                            "(l'énumération exacte est hors de portée pour ces tableaux) ; les autres p sont exacts.",
        "power": "Avec {n} coopératives dans des secteurs de {sizes}, un effet moyen (w = 0,3) est détecté avec "
                 "une probabilité de {power} ; un grand effet (w = 0,5), {power_large}. Référence : "
                 "avec les secteurs de l'étude publiée ({paper_sizes}), {paper_power}.",
        "approx": " (approximation du khi-deux)", "exact": " (test exact)",
        "power_same": "Avec {n} coopératives dans des secteurs de {sizes} (ceux de l'étude publiée), un effet moyen "
                      "(w = 0,3) est détecté avec une probabilité de {power} ; un grand effet "
                      "(w = 0,5), {power_large}.",
        "estimate": "- **Un pourcentage descriptif** dit ce qui s'est passé dans ces {n} coopératives : {k} sur {n} "
                    "{report} des obstacles, {pct}.\n"
                    "- **Une estimation avec un intervalle** traite les {n} comme un échantillon et dit où la part "
                    "pourrait se trouver dans la population d'où elles ont été tirées : ici de {low} à {high} "
                    "(Wilson, {level}).",
        "h1_data": "L'enquête {outcome} et compte {users} {cooperatives} ayant utilisé un outil d'IA contre "
                   "{non_users} {did_not}. La règle de `verdicts.h1_verdict` renvoie donc "
                   "*{verdict}*. Le signe invoqué par l'article, l'intérêt pour l'IA ({k} sur {n}, {pct}), est testé "
                   "contre la moitié ci-dessous : il mesure l'intérêt, pas un effet.",
        "has_outcome": "a une mesure de l'efficacité marketing",
        "no_outcome": "n'a pas de mesure de l'efficacité marketing",
        "h2_takeaway": "H2, telle que l'enquête peut la tester : {k} sur {n} ({pct}) {report} un obstacle ; "
                       "verdict du paquet : `{verdict}`.",
        "h1_takeaway": "H1 : verdict `{verdict}` ({users} {cooperatives} sur {n} {have_used} un outil d'IA). L'intérêt pour "
                       "l'IA n'est pas une preuve que l'IA améliore le marketing.",
        "naive": "Tableau regroupé naïf : {ticks} cases cochées par {n} coopératives (khi-deux = {chi2}, ddl = {dof}) - "
                 "**pas un test valide**.",
        "naive_not_computable": "Tableau regroupé naïf : non calculable, {reason}.",
        "literature_counts": "{sources} sources, {units} unités de codage (citation × section), {pairs} couples "
                             "unité-code, {codes} codes.",
        "h1_power_here": "{users} {users_word} contre {non_users} {non_users_word} : approximation {approx}, puissance "
                         "exacte du même test z {exact}",
        "h1_power_ratio": " (l'approximation vaut {ratio} fois la valeur exacte)",
        "smallest_sector": "dans le plus petit secteur", "only_sector": "dans son seul secteur",
        "h1_power_empty": "{users} {users_word} contre {non_users} {non_users_word} : sans l'un des deux groupes, il "
                          "n'existe aucun test z (puissance nulle)",
        #: Words whose form follows a count (:func:`counted_form`): singular, plural.
        "forms": {"cooperative": ("coopérative", "coopératives"), "point": ("point", "points"),
                  "use": ("utilise", "utilisent"), "use_none": ("n'en utilise aucun", "n'en utilisent aucun"),
                  "is_neither": ("n'est dans aucun des deux groupes", "ne sont dans aucun des deux groupes"),
                  "know_interested": ("connaît l'IA et est intéressée", "connaissent l'IA et sont intéressées"),
                  "report": ("signale", "signalent"), "did_not": ("qui ne l'a pas fait", "qui ne l'ont pas fait"),
                  "have_used": ("a utilisé", "ont utilisé"), "have_not_used": ("n'a pas utilisé", "n'ont pas utilisé"),
                  "user": ("utilisatrice", "utilisatrices"), "non_user": ("non-utilisatrice", "non-utilisatrices"),
                  "interested": ("intéressée", "intéressées"), "stratum": ("strate", "strates"),
                  "cluster": ("grappe", "grappes"), "degree": ("degré de liberté", "degrés de liberté")},
        "h1_power_large": "{users} contre {non_users} : approximation {approx}, exacte {exact}.",
        "h2_head": "**H2 - article :** `{paper}` · **paquet :** `{package}`",
        "h2_ceiling": "La règle ne peut renvoyer que {verdicts} : l'enquête indique si des obstacles existent, pas "
                      "s'ils sont majeurs, donc aucune donnée ne pourrait lui faire dire `supported`. Le `discrepancy` "
                      "du registre pour le verdict de l'article (carnet 05, affirmation I-H2) découle donc de la "
                      "règle, pas de ces réponses.",
        "or": " ou ",
        "h2_not_supported": "{k} sur {n} {report} des obstacles (p exact unilatéral = {p} contre la moitié) : "
                            "majorité non démontrée ; {evidence}",
        "h2_partial": "{k} sur {n} {report} des obstacles : part supérieure à {held} démontrée (p exact unilatéral "
                      "= {p} contre la moitié), {tested} ; {evidence} ; l'enquête indique que des obstacles "
                      "existent, pas qu'ils sont des obstacles majeurs, et ne donne aucune part pour les obstacles "
                      "qu'elle nomme, donc le verdict le plus fort de cette règle est partially_supported",
        "h2_failed": "dépassement de {thresholds} non démontré (testé)",
        "h2_all_held": "chaque seuil testé est dépassé",
        "h2_evidence": "borne inférieure unilatérale à {level} : {lower} (Clopper-Pearson) ; BF+0 = {bf_plus} "
                       "({bf_plus_words}), BF10 = {bf10} bilatéral ({bf10_words})",
        "bf_words": {"extreme": "extrême", "very strong": "très forte", "strong": "forte", "moderate": "modérée",
                     "anecdotal": "anecdotique"},
        "bf_evidence": "preuve {word} en faveur {favoured}", "h0": "de H0",
        "bf_none": "aucune preuve dans un sens ni dans l'autre",
        "a_majority": "d'une majorité", "other_than_half": "d'une part différente de la moitié",
        "h1_indicator": "- `{indicator}` - paquet : `{package}` (article : `{paper}`) : {reason}.",
        "h1_not_testable": "H1 est causale (« améliorerait ») et demande un résultat comparé entre coopératives "
                           "utilisatrices de l'IA et non-utilisatrices comparables, idéalement avant et après "
                           "l'adoption ; {problems}. Avec {users} contre {non_users}, {comparison} ; une puissance de {target} "
                           "demande {n80} coopératives par groupe",
        "h1_comparison": "une comparaison détecterait un effet moyen (h = {h}) avec une puissance de {power}",
        "h1_no_comparison": "aucune comparaison n'est possible",
        "h1_no_outcome": "l'enquête n'a pas de mesure de l'efficacité marketing",
        "h1_small_groups": "seulement {users} {cooperatives} {have_used} un outil d'IA contre {non_users} {did_not}",
        "h1_no_users": "aucune coopérative n'a utilisé d'outil d'IA",
        "h1_small_non_users": "seulement {non_users} {cooperatives} {have_not_used} d'outil d'IA, contre {users} qui "
                              "l'ont fait",
        "h1_no_non_users": "toutes les coopératives ont utilisé un outil d'IA : aucune ne peut servir de comparaison",
        "h1_testable": "un résultat et deux groupes assez grands sont présents",
        "h1_interest": "{k} sur {n} {interested} (p = {p} contre la moitié) : {majority} ; un signe d'intérêt, pas "
                       "la preuve d'un effet sur le marketing",
        "h1_interest_none": "{k} sur {n} {interested} (p = {p} contre la moitié) : {majority} ; aucun signe d'intérêt, "
                            "et l'intérêt ne serait pas non plus la preuve d'un effet sur le marketing",
        "majority": "une majorité", "no_majority": "majorité non démontrée",
        "data_notice": "**Données :** {file}, {n} coopératives, origine : **{origin}**",
        "origins": {"rebuilt": "reconstituées", "observed": "observées"},
        "data_rebuilt": " (à partir des agrégats publiés, pas des réponses originales)",
        "setup_design": "**Plan de sondage :** {design} ; les tableaux fondés sur le plan sont dans la dernière section "
                        "de ce carnet, et chaque figure de parts avec intervalles montre les estimations fondées sur le "
                        "plan (son pied de figure le nomme) ; les autres tableaux et figures ignorent le plan.",
        "design_used": "**Plan utilisé :** {design}",
        "design_counts": " ; {strata} {strata_word}, {clusters} {clusters_word}, {degf} {degf_word}",
        "design_lonely": " ; strates à une seule grappe traitées par la règle : {lonely}",
        "no_design_counts": "Aucun plan de sondage n'a été déclaré pour ce calcul : chaque coopérative compte une fois, "
                            "comme ci-dessus, et aucun tableau fondé sur le plan n'est écrit.",
        "no_design_tests": "Aucun plan de sondage n'a été déclaré pour ce calcul : les tests exacts ci-dessus sont les "
                           "tests par secteur.",
        "mmi_not_computable": "Test MMI : non calculable, {reason}.",
        "reason_no_answer": "aucune coopérative n'a répondu",
        "reason_one_sector": "un seul secteur ({sector}) : comparer des secteurs demande des coopératives dans au "
                             "moins deux secteurs",
        "reason_same_answer": "toutes les coopératives ont donné la même réponse (« {answer} ») : un test "
                              "d'association demande au moins deux réponses différentes",
        "answer_names": {"yes": "oui", "no": "non"},
        "audit_design": "**Plan de sondage :** {design} ; cet audit compare les comptes et les parts non pondérés de "
                        "l'enquête aux chiffres publiés (l'étude de l'article n'avait pas de plan) ; les estimations "
                        "fondées sur le plan sont dans les carnets 02 à 04.",
        "replication_rebuilt": "Données reconstruites : la comparaison de réplication ne s'applique qu'aux fichiers "
                               "d'enquêtes réelles.",
        "design_exact": "Les tests exacts ne s'appliquent pas sous un plan de sondage : ils traitent chaque coopérative "
                        "comme un tirage également probable, ce que les poids et les grappes démentent. Les tests par "
                        "secteur sont alors ceux de Rao-Scott.",
        "plan": "- Test principal : {primary}, tolérance relative {rtol}.\n"
                "- Montrés à côté, pour l'enseignement : {secondary}.\n"
                "- Multiplicité : Holm (erreur de première espèce de la famille), avec Benjamini-Hochberg à côté. "
                "Familles : {families}.\n"
                "- alpha = {alpha}. Direction des tests : {sidedness}.\n"
                "- Plusieurs pratiques à la fois (MMI) : la décision repose sur `{mmi}` (Bonferroni sur les p exacts "
                "par pratique, un test valide de MMI à tout n) ; permuter des coopératives entières teste "
                "l'indépendance conjointe, une hypothèse nulle plus forte ; Rao-Scott du second ordre et Bonferroni "
                "asymptotique sont montrés à côté. Constante ajoutée aux cellules vides : {constant}.\n"
                "- Intervalle du V de Cramer à {level} (1 - 2 alpha, Steiger 2004) ; résidus ajustés signalés "
                "au-delà d'un seuil de Bonferroni sur les cellules de la figure, et là où l'effectif attendu est "
                "inférieur à {min_expected}.\n"
                "- Quand : le plan est `src/coopai/plan.py` ; son historique git montre quand chaque choix a été écrit "
                "(certains après que des résultats antérieurs eurent été montrés).\n"
                "- Monte Carlo : {draws} tableaux sous marges fixées ; permutations : {permutations} ; graines de "
                "reconstruction pour les étendues : {seeds}.\n"
                "- Sous un plan de sondage déclaré (poids, strates, grappes) : {design_test} ; {design_intervals} ; "
                "strates à une seule grappe : règle `{lonely}` de R. {design_exact}",
        #: The plan's English wording (coopai.plan's constants) in French, for plan.describe.
        "plan_terms": {
            plan.PRIMARY_TEST: "test exact de Fisher-Freeman-Halton (tableaux ordonnés par probabilité, marges fixées)",
            plan.SECONDARY_TESTS[0]: "khi-deux de Pearson, sans correction de continuité",
            plan.SECONDARY_TESTS[1]: "G du rapport de vraisemblance",
            plan.FAMILY_SCOPE["table1_practices"]: "chaque calcul",
            plan.FAMILY_SCOPE["total_only_observed"]: "données observées seulement",
            "sector tests (exact, chi-square, G, MMI)": "tests par secteur (exact, khi-deux, G, MMI)",
            "no direction (every deviation from independence counts)": "sans direction (tout écart à l'indépendance "
                                                                       "compte)",
            "H2 (binomial, share against a threshold)": "H2 (binomial, part contre un seuil)",
            "one-sided: H0 share <= threshold; two-sided p shown beside": "unilatéral, H0 part <= seuil ; p bilatéral "
                                                                          "montré à côté",
            "H1 interest (binomial against one half)": "intérêt pour l'IA de H1 (binomial contre la moitié)",
            "one-sided: H0 share <= 1/2; two-sided p shown beside": "unilatéral, H0 part <= 1/2 ; p bilatéral montré "
                                                                    "à côté",
            plan.DESIGN_TEST: "F corrigé de Rao-Scott du second ordre (khi-deux corrigé du premier ordre à côté)",
            plan.DESIGN_INTERVALS: "intervalle logit (Korn-Graubard à côté)",
        },
        "no_design": "Aucun plan de sondage n'a été déclaré : le planificateur ci-dessus suppose un échantillon "
                     "aléatoire simple (effet de plan 1).",
        "no_design_effect": "**Plan utilisé :** {design}. Aucun effet de plan ne peut être estimé sur cette enquête : "
                            "ses poids ne comptent pas la population (ni FPC, ni poids dont la somme dépasse "
                            "l'échantillon), donc la variance d'un échantillon aléatoire simple de la population est "
                            "inconnue, comme dans `svymean(deff = TRUE)` de R. Planifiez avec l'effet de plan d'une "
                            "enquête semblable : `coopai.power.sample_size_plan(deff=...)`.",
    },
    "en": {
        "published_sample": "The published study's {n} cooperatives were chosen on purpose in Tangier (the paper "
                            "targets cooperatives already engaged in digital transformation); they were not drawn "
                            "at random.",
        "own_sample": "These {n} cooperatives come from `{file}`; how they were chosen is for the survey's own "
                      "documentation to say. If they were not drawn at random, read the intervals as a floor on "
                      "uncertainty.",
        "width": "With n = {n}, a {level} Wilson interval around 50% is about ±{half} {points} wide; {which} "
                 "({sector}, {m} {cooperatives}) it runs from {low} to {high} for a share of {k} out of {m}.",
        "cell_example": "Read the sector columns with their n: {pct} of {sector} is {k} {cooperatives} out of {m}, and "
                        "its {level} Wilson interval runs from {low} to {high}.",
        "digital": "{uses} {cooperatives} {use} at least one digital tool ({uses_pct}) and {none} {use_none} "
                   "({none_pct}).",
        "digital_neither": " {unclassified} {is_neither} (`unclassified`).",
        "digital_rebuilt": " The two published shares leave these {unclassified} cooperatives in neither group; the "
                           "rebuild keeps both printed counts and codes them `unclassified`.",
        "overlap_rebuilt": "With {heard} heard of AI, {interested} interested and {neither} neither, exactly {both} "
                           "cooperatives must both have heard of AI and be interested (inclusion-exclusion: "
                           "{heard_k} + {interested_k} − ({n} − {neither_k})).",
        "overlap_observed": "{both} {cooperatives} {know_interested}; {heard} heard of AI, "
                            "{interested} are interested, {neither} neither.",
        "takeaway_counts_rebuilt": "Every count the paper prints is recovered from the respondent rows; on the "
                                   "rebuilt data this is by construction.",
        "takeaway_counts_observed": "These shares are this survey's; notebook 05 compares them with the paper's, "
                                    "each with its own n.",
        "takeaway_tests": "Sector comparisons, and the hypotheses H1 and H2, need tests: notebooks 03 and 04.",
        "takeaway_width": "With {n} cooperatives, the median half-width of the {level} intervals is {median} {points} "
                          "(from {lo} to {hi}).",
        "multiplicity": "{m} practices are tested; with {m} tests at {alpha}, the chance of at least one false alarm "
                        "reaches {fwer} (independent tests). Holm's step-down correction keeps it at {alpha} without "
                        "assuming the tests are independent.",
        "mc_agree": "Monte Carlo ((1 + b)/(1 + B), {draws} draws) and exact p-values agree within 4 standard errors "
                    "for every practice: **{agree}**.",
        "mc_agree_some": "Monte Carlo ((1 + b)/(1 + B), {draws} draws) and exact p-values agree within 4 standard "
                         "errors for every practice with an exact p ({names}): **{agree}**. The primary p of the "
                         "others ({others}) is itself the Monte Carlo estimate: no exact p exists to check it against.",
        "mc_no_exact": "No practice has an exact p on this survey: exact enumeration is out of reach at this size, so "
                       "each primary p is the Monte Carlo estimate of the exact test's p ((1 + b)/(1 + B), {draws} "
                       "draws), with its standard error (`p_monte_carlo_se`), and no exact p exists to check it "
                       "against.",
        "p_methods": "Method of the primary p: {methods}.",
        "p_method_exact": "exact", "p_method_mc": "Monte Carlo ({draws} draws)",
        "mc_floor": "At the Monte Carlo floor ({names}): none of the {draws} drawn tables is as extreme as the "
                    "observed one, so p = {p}, the smallest value (1 + b)/(1 + B) can take. It is a valid p-value, "
                    "not a bound on the exact p, which lies below {bound} with {level} confidence (0 of {draws} "
                    "draws, Clopper-Pearson).",
        "cochran": "Cells with expected count below 5: {lo} to {hi} (Cochran's rule asks for at most 20%); smallest "
                   "expected count {min_expected}.",
        "cochran_one": "Cells with expected count below 5: {pct} in every practice (Cochran's rule asks for at most "
                       "20%); smallest expected count {min_expected}.",
        "rejected": "Practices whose exact test rejects independence after Holm at alpha = {alpha}: {names}.",
        "rejected_mc": "Practices whose test rejects independence after Holm at alpha = {alpha}, each p the Monte "
                       "Carlo estimate ({draws} draws) of the exact test's: {names}.",
        "rejected_mixed": "Practices whose test rejects independence after Holm at alpha = {alpha}, with the method of "
                          "their p: {names}.",
        "none": "none",
        "not_computable": "not computable", "none_computable": "No sector test is computable on this survey.",
        "yes": "yes", "no": "no",
        "mmi_forms": {"p_bonferroni_exact": "Bonferroni over exact p-values",
                      "p_bonferroni_asymptotic": "Bonferroni over asymptotic p-values",
                      "p_rao_scott": "Rao-Scott second order",
                      "p_permutation": "permutation of whole cooperatives"},
        "mmi_why": {"p_bonferroni_exact": "exact per-practice p-values",
                    "p_bonferroni_asymptotic": "chi-square approximations, which need large enough expected counts",
                    "p_rao_scott": "a large-sample approximation",
                    "p_permutation": "the stronger null of joint independence"},
        "rejects": "rejects", "does_not_reject": "does not reject",
        "mmi_decision": "X2_S = {x2}. Decision (`{key}`, {form}): p = {p}{se}, {decision} multiple marginal "
                        "independence at alpha = {alpha}.",
        "mmi_se_draws": " (the smallest practice p is a Monte Carlo estimate of the exact one, {draws} draws; "
                        "standard error {se})",
        "mmi_form": "{form} p = {p} ({decision})",
        "mmi_form_nc": "{form}: not computable (no covariance within the sectors)",
        "mmi_form_mc": "{form} p = {p} (standard error {se}, {draws} permutations; {decision})",
        "mmi_form_floor": "{form} p = {p} (standard error {se}, {draws} permutations, none reaching the observed "
                          "X2_S: the smallest value (1 + b)/(1 + B) can take, a valid p-value and not a bound; "
                          "{decision})",
        "mmi_beside": "Beside it: {forms}.",
        "mmi_differ": "Not every form reaches the same decision: {reasons}. The decision is the declared form's; the "
                      "others show how much it depends on that choice.",
        "mmi_reason": "{form} rests on {why}",
        "mmi_spread": "Over {datasets} datasets (this one and {others} other rebuilds): {items}. A spread over the "
                      "datasets tried is not a bound: the authors' real answers could give a value outside it.",
        "mmi_same": "{form} the same in every one ({p})",
        "mmi_range": "{form} from {lo} to {hi}",
        "mmi_range_se": "{form} from {lo} to {hi} (standard error at most {se})",
        "mmi_constant": "With MRCV's default of adding 0.5 to zero cells, X2_S would be {with_} instead of {x2}.",
        "mmi_constant_none": "No practice's table has an empty cell, so MRCV's default of adding 0.5 to zero cells "
                             "changes nothing here (X2_S = {x2}).",
        "total_only_rebuilt": "Rebuilt data: the paper gives these {k} variables for the whole sample only, so each "
                              "sector test is shown as a range over every breakdown consistent with it; with the "
                              "rebuild's constraints and assumptions, {straddle} of the {k} ranges straddle alpha = "
                              "{alpha}.",
        "total_only_observed": "Observed data: the sector of each answer is known, so each of these {k} variables has "
                               "an ordinary exact test (a point, not a range), in a family declared in the plan "
                               "(`total_only_observed`, Holm). After Holm at alpha = {alpha}: {names}.{how}",
        "total_only_mc": " Each p is the Monte Carlo estimate ({draws} draws) of the exact test's p: exact enumeration "
                         "is out of reach at this size.",
        "total_only_mixed": " The p of {names} is the Monte Carlo estimate ({draws} draws) of the exact test's p (exact "
                            "enumeration is out of reach for these tables); the other p-values are exact.",
        "power": "With {n} cooperatives in sectors of {sizes}, a medium effect (w = 0.3) is detected with "
                 "probability {power}; a large one (w = 0.5), {power_large}. Reference: with the published "
                 "study's sectors ({paper_sizes}), {paper_power}.",
        "approx": " (chi-square approximation)", "exact": " (exact test)",
        "power_same": "With {n} cooperatives in sectors of {sizes} (the published study's), a medium effect "
                      "(w = 0.3) is detected with probability {power}; a large one (w = 0.5), "
                      "{power_large}.",
        "estimate": "- **A descriptive percentage** says what happened in these {n} cooperatives: {k} of {n} {report} "
                    "barriers, {pct}.\n"
                    "- **An estimate with an interval** treats the {n} as a sample and says how far the share could "
                    "be in the population they were drawn from: here {low} to {high} (Wilson, {level}).",
        "h1_data": "The survey {outcome} and has {users} {cooperatives} that used an AI tool against {non_users} "
                   "{did_not}. The rule in `verdicts.h1_verdict` therefore returns *{verdict}*. The paper's supporting "
                   "sign, interest in AI ({k} of {n}, {pct}), is tested against one half below: it measures "
                   "interest, not an effect.",
        "has_outcome": "has a measure of marketing effectiveness",
        "no_outcome": "has no measure of marketing effectiveness",
        "h2_takeaway": "H2, as the survey can test it: {k} of {n} ({pct}) {report} some barrier; package verdict: "
                       "`{verdict}`.",
        "h1_takeaway": "H1: verdict `{verdict}` ({users} of {n} cooperatives used an AI tool). Interest in AI is not evidence "
                       "that AI improves marketing.",
        "naive": "Naive pooled table: {ticks} ticks from {n} cooperatives (chi2 = {chi2}, df = {dof}) - **not a valid test**.",
        "naive_not_computable": "Naive pooled table: not computable, {reason}.",
        "literature_counts": "{sources} sources, {units} coding units (citation × section), {pairs} unit-code pairs, "
                             "{codes} codes.",
        "h1_power_here": "{users} {users_word} against {non_users} {non_users_word}: approximation {approx}, exact power of the same "
                         "z-test {exact}",
        "h1_power_ratio": " (the approximation is {ratio} times the exact value)",
        "smallest_sector": "in the smallest sector", "only_sector": "in its only sector",
        "h1_power_empty": "{users} {users_word} against {non_users} {non_users_word}: without one of the two groups "
                          "there is no z-test (power zero)",
        #: Words whose form follows a count (:func:`counted_form`): singular, plural.
        "forms": {"cooperative": ("cooperative", "cooperatives"), "point": ("point", "points"),
                  "use": ("uses", "use"), "use_none": ("uses none", "use none"),
                  "is_neither": ("is in neither group", "are in neither group"),
                  "know_interested": ("has heard of AI and is interested", "have heard of AI and are interested"),
                  "report": ("reports", "report"), "did_not": ("that did not", "that did not"),
                  "have_used": ("used", "used"), "have_not_used": ("did not use", "did not use"),
                  "user": ("user", "users"), "non_user": ("non-user", "non-users"),
                  "interested": ("interested", "interested"), "stratum": ("stratum", "strata"),
                  "cluster": ("cluster", "clusters"), "degree": ("degree of freedom", "degrees of freedom")},
        "h1_power_large": "{users} against {non_users}: approximation {approx}, exact {exact}.",
        "h2_head": "**H2 - paper:** `{paper}` · **package:** `{package}`",
        "h2_ceiling": "The rule can return only {verdicts}: the survey records whether barriers exist, not whether "
                      "they are major, so no data could make it `supported`. The ledger's `discrepancy` for the "
                      "paper's verdict (notebook 05, claim I-H2) therefore follows from the rule, not from these "
                      "answers.",
        "or": " or ",
        "h2_not_supported": "{k} of {n} {report} barriers (one-sided exact p = {p} against one half): not shown to be a "
                            "majority; {evidence}",
        "h2_partial": "{k} of {n} {report} barriers: shown to exceed {held} (one-sided exact p = {p} against one half), "
                      "{tested}; {evidence}; the survey records that barriers exist, not that they are major "
                      "obstacles, and gives no share for the barriers it names, so this rule's strongest verdict is "
                      "partially_supported",
        "h2_failed": "not shown to exceed {thresholds} (tested)",
        "h2_all_held": "every threshold tested exceeded",
        "h2_evidence": "one-sided {level} lower bound {lower} (Clopper-Pearson); BF+0 = {bf_plus} ({bf_plus_words}), "
                       "BF10 = {bf10} two-sided ({bf10_words})",
        "bf_words": {"extreme": "extreme", "very strong": "very strong", "strong": "strong", "moderate": "moderate",
                     "anecdotal": "anecdotal"},
        "bf_evidence": "{word} evidence for {favoured}", "h0": "H0",
        "bf_none": "no evidence either way",
        "a_majority": "a majority", "other_than_half": "a share other than one half",
        "h1_indicator": "- `{indicator}` - package: `{package}` (paper: `{paper}`): {reason}.",
        "h1_not_testable": "H1 is causal ('would improve') and needs an outcome compared between AI users and "
                           "comparable non-users, ideally before and after adoption; {problems}. With {users} against "
                           "{non_users}, {comparison}; {target} power needs {n80} per group",
        "h1_comparison": "a comparison would detect a medium effect (h = {h}) with power {power}",
        "h1_no_comparison": "no comparison is possible",
        "h1_no_outcome": "the survey has no measure of marketing effectiveness",
        "h1_small_groups": "only {users} {cooperatives} used an AI tool against {non_users} {did_not}",
        "h1_no_users": "no cooperative used an AI tool",
        "h1_small_non_users": "only {non_users} {cooperatives} did not use an AI tool, against {users} that did",
        "h1_no_non_users": "every cooperative used an AI tool: none is left to compare with",
        "h1_testable": "an outcome and two groups large enough are present",
        "h1_interest": "{k} of {n} interested (p = {p} against one half): {majority}; a sign of interest, not evidence "
                       "of an effect on marketing",
        "h1_interest_none": "{k} of {n} interested (p = {p} against one half): {majority}; no sign of interest, and "
                            "interest would not be evidence of an effect on marketing either",
        "majority": "a majority", "no_majority": "not shown to be a majority",
        "data_notice": "**Data:** {file}, {n} cooperatives, origin: **{origin}**",
        "origins": {"rebuilt": "rebuilt", "observed": "observed"},
        "data_rebuilt": " (rebuilt from the published aggregates, not the original answers)",
        "setup_design": "**Survey design:** {design}; the design-based tables are in this notebook's last section and "
                        "every figure of shares with intervals shows the design-based estimates (its footer names the "
                        "design); the other tables and figures ignore the design.",
        "design_used": "**Design used:** {design}",
        "design_counts": "; {strata} {strata_word}, {clusters} {clusters_word}, {degf} {degf_word}",
        "design_lonely": "; single-cluster strata handled by the rule: {lonely}",
        "no_design_counts": "No survey design was declared for this run: every cooperative counts once, as above, and "
                            "no design-based table is written.",
        "no_design_tests": "No survey design was declared for this run: the exact tests above are the sector tests.",
        "mmi_not_computable": "MMI test: not computable, {reason}.",
        "reason_no_answer": "no cooperative answered",
        "reason_one_sector": "one sector only ({sector}): comparing sectors needs cooperatives in at least two sectors",
        "reason_same_answer": "every cooperative gave the same answer ('{answer}'): a test of association needs at "
                              "least two different answers",
        "answer_names": {"yes": "yes", "no": "no"},
        "audit_design": "**Survey design:** {design}; this audit compares the survey's unweighted counts and shares "
                        "with the published ones (the paper's study had no design); the design-based estimates are "
                        "in notebooks 02 to 04.",
        "replication_rebuilt": "Rebuilt data: the replication comparison applies to real survey files only.",
        "design_exact": "Exact tests do not apply under a survey design: they take every cooperative as one equally "
                        "likely draw, which weights and clusters deny. The sector tests are then Rao-Scott's.",
        "plan": "- Primary test: {primary}, relative tolerance {rtol}.\n"
                "- Shown beside it, for teaching: {secondary}.\n"
                "- Multiplicity: Holm (family-wise), with Benjamini-Hochberg beside it. Families: {families}.\n"
                "- alpha = {alpha}. Sidedness: {sidedness}.\n"
                "- Several practices at once (MMI): the decision rests on `{mmi}` (Bonferroni over the exact "
                "per-practice p-values, a valid test of MMI at any n); permuting whole cooperatives tests joint "
                "independence, a stronger null; Rao-Scott second order and asymptotic Bonferroni are shown beside it. "
                "Constant added to zero cells: {constant}.\n"
                "- Cramer's V interval at {level} (1 - 2 alpha, Steiger 2004); adjusted residuals flagged beyond a "
                "Bonferroni threshold over the figure's cells, and where the expected count is below "
                "{min_expected}.\n"
                "- When: the plan is `src/coopai/plan.py`; its git history shows when each choice was written "
                "(some after earlier results had been shown).\n"
                "- Monte Carlo: {draws} tables under fixed margins; permutations: {permutations}; rebuild seeds for "
                "ranges: {seeds}.\n"
                "- Under a declared survey design (weights, strata, clusters): {design_test}; {design_intervals}; "
                "single-cluster strata: R's `{lonely}` rule. {design_exact}",
        "no_design": "No survey design was declared: the planner above assumes a simple random sample (design "
                     "effect 1).",
        "no_design_effect": "**Design used:** {design}. No design effect can be estimated on this survey: its weights "
                            "do not count the population (neither an FPC nor weights adding up to more than the "
                            "sample), so the variance of a simple random sample of the population is unknown, as in "
                            "R's `svymean(deff = TRUE)`. Plan with the design effect of a similar survey: "
                            "`coopai.power.sample_size_plan(deff=...)`.",
    },
}


def sentence(function):
    """A sentence function whose Markdown text comes out typeset for its ``lang`` argument
    (:func:`coopai.style.typeset_markdown`): the one place where sentences meet the typography of
    figures and tables, so a template is written with plain spaces and apostrophes in either language."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def typeset_sentence(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return style.typeset_markdown(state_bounds(function(*args, **kwargs)), bound.arguments["lang"])

    return typeset_sentence


def number(value, lang: str, decimals: int = 0) -> str:
    """A count (or, with ``decimals``, a measure) in a sentence: :func:`coopai.style.format_number`,
    so that sentences and figures print numbers alike (French: decimal comma, narrow no-break
    space between thousands, minus sign).

    Examples
    --------
    >>> number(100000, "fr") == "100\u202f000", number(100000, "en"), number(0.3, "fr", 1), number(-2.5, "fr", 1)
    (True, '100,000', '0,3', '−2,5')
    """
    return style.format_number(value, lang, decimals)


def counted_form(word: str, count: float, lang: str) -> str:
    """``word`` (a key of ``TEXT[lang]["forms"]``: a noun, or a verb whose subject is counted) in the
    form ``count`` takes: in English the singular for exactly 1, in French for any count below 2
    (« 0 coopérative », « 1,5 point »), else the plural. ``count`` is the number as the sentence
    prints it (rounded), so the word agrees with what the reader sees.

    Examples
    --------
    >>> counted_form("cooperative", 1, "en"), counted_form("cooperative", 0, "en"), counted_form("cooperative", 0, "fr")
    ('cooperative', 'cooperatives', 'coopérative')
    >>> counted_form("point", 0.3, "fr"), counted_form("point", 0.3, "en"), counted_form("use", 17, "fr")
    ('point', 'points', 'utilisent')
    """
    singular, plural = TEXT[check_lang(lang)]["forms"][word]
    return singular if (abs(count) < 2 if lang == "fr" else count == 1) else plural


def percent(share: float, lang: str, decimals: int = 1) -> str:
    """A share in 0..1 as a percentage (:func:`coopai.stats.format_percent`)."""
    return format_percent(100 * share, lang, decimals)


def format_p(p: float, lang: str = "en", log10_p: float | None = None) -> str:
    """A p-value that is never printed as 0: three significant digits (:func:`coopai.style.format_significant`,
    the tables' ``×10⁻³⁷`` form below 10⁻⁴), or, where the float underflowed, its size from ``log10_p``
    (or a bound when that is unknown).

    Examples
    --------
    >>> format_p(0.0428), format_p(3.84e-37, "fr"), format_p(0.0, log10_p=-850.894)
    ('0.0428', '3,84×10⁻³⁷', '1.28×10⁻⁸⁵¹')
    >>> format_p(0.0), format_p(float("nan"), "fr"), format_p(0.0, log10_p=-850.0001)
    ('< 10⁻³⁰⁸', 'non calculable', '1×10⁻⁸⁵⁰')
    """
    check_lang(lang)
    if p > 0 and math.isfinite(p) or log10_p is not None and math.isfinite(log10_p):
        return style.format_significant(p, lang, 3, log10_p)
    if math.isnan(p):
        return TEXT[lang]["not_computable"]
    return f"< {style.power_of_ten(-308)}"  # below the smallest normal double: the tail underflowed


def format_bf(bf: float, log10_bf: float | None = None, lang: str = "en") -> str:
    """A Bayes factor with three significant digits (:func:`coopai.style.format_significant`), or,
    past the float range, its size from ``log10_bf``.

    Examples
    --------
    >>> format_bf(4.7706), format_bf(float("inf"), 3571.36), format_bf(1.46e-05, lang="fr")
    ('4.77', '2.29×10³⁵⁷¹', '1,46×10⁻⁵')
    """
    check_lang(lang)
    if 0 < bf < math.inf or log10_bf is not None and math.isfinite(log10_bf):
        return style.format_significant(bf, lang, 3, log10_bf)
    if math.isnan(bf):
        return TEXT[lang]["not_computable"]
    return f"> {style.power_of_ten(308)}" if bf == math.inf else f"< {style.power_of_ten(-308)}"


#: "= " before a number printed as a bound (:func:`format_p`'s "< 10⁻³⁰⁸" where a p-value underflowed,
#: :func:`format_bf`'s "> 10³⁰⁸"): a template's "p = {p}" would read "p = < 10⁻³⁰⁸".
_EQUALS_BOUND = re.compile(r"=\s+([<>])\s")


def state_bounds(text: str) -> str:
    """A value printed as a bound reads as its relation: "p = < 10⁻³⁰⁸" becomes "p < 10⁻³⁰⁸".

    :func:`format_p` and :func:`format_bf` signal a bound by a leading ``<`` or ``>``; every template
    writes "p = {p}", so the one place that mends them all is here, applied to every sentence by
    :func:`sentence` (and to the ledger's notes by :mod:`coopai.audit`).

    Examples
    --------
    >>> state_bounds(f"p = {format_p(0.0)} (rejects); BF10 = {format_bf(float('inf'))}; p = 0.04")
    'p < 10⁻³⁰⁸ (rejects); BF10 > 10³⁰⁸; p = 0.04'
    """
    return _EQUALS_BOUND.sub(r"\1 ", text)


#: ``exact_method`` of a Monte Carlo p in :func:`coopai.sector_tests.sector_test`: ``monte_carlo_B``.
_MONTE_CARLO_METHOD = re.compile(r"monte_carlo_(\d+)")


def monte_carlo_draws(method: str) -> int:
    """The draws B behind a sector test's p, read from its ``exact_method``: 0 for an exact p.

    Examples
    --------
    >>> monte_carlo_draws("monte_carlo_20000"), monte_carlo_draws("exact")
    (20000, 0)
    """
    if method == "exact":
        return 0
    match = _MONTE_CARLO_METHOD.fullmatch(str(method))
    if not match:
        raise ValueError(f"exact_method {method!r}: neither 'exact' nor 'monte_carlo_<draws>'")
    return int(match.group(1))


def p_method(method: str, lang: str = "en") -> str:
    """How a sector test's p was computed, in words (its ``exact_method``): exact, or Monte Carlo with its draws.

    Examples
    --------
    >>> p_method("exact"), p_method("monte_carlo_20000"), p_method("monte_carlo_999", "fr")
    ('exact', 'Monte Carlo (20,000 draws)', 'Monte Carlo (999 tirages)')
    """
    t = TEXT[check_lang(lang)]
    draws = monte_carlo_draws(method)
    return t["p_method_mc"].format(draws=number(draws, lang)) if draws else t["p_method_exact"]


def at_monte_carlo_floor(p: float, draws: int) -> bool:
    """Whether a Monte Carlo p, (1 + b)/(1 + B), is at its floor 1/(1 + B): no draw as extreme (b = 0).

    The rule the sentences follow (stated where it applies): a Monte Carlo p is named as such,
    with its draws, and is never written "p ≤ ..." or "p < ...": (1 + b)/(1 + B) is itself a valid
    p-value (Davison and Hinkley 1997, sec. 4.2), so "p = 1/(1 + B)" is true of it, whereas a bound
    would speak of the exact p, which the draws only estimate. At the floor a sentence says so, and
    gives what the draws do say of the exact p: an upper confidence bound
    (:func:`monte_carlo_upper_bound`).

    Examples
    --------
    >>> at_monte_carlo_floor(1 / 20001, 20000), at_monte_carlo_floor(2 / 20001, 20000), at_monte_carlo_floor(1e-40, 0)
    (True, False, False)
    """
    return bool(draws > 0 and round(p * (1 + draws)) == 1)


def monte_carlo_upper_bound(exceed: int, draws: int, alpha: float = plan.ALPHA) -> float:
    """One-sided (1 - alpha) upper confidence bound of the exact p from ``exceed`` of ``draws`` tables as extreme:
    each draw is as extreme with probability the exact p, so Clopper-Pearson's bound on a binomial share
    (1 - :func:`coopai.verdicts.one_sided_lower_bound` of the draws that are not as extreme).

    Examples
    --------
    >>> b = monte_carlo_upper_bound(0, 20000, 0.05)  # 0 of B: 1 - alpha ** (1 / B), about 3 / B
    >>> round(b, 8), round(1 - 0.05 ** (1 / 20000), 8)
    (0.00014978, 0.00014978)
    """
    from .verdicts import one_sided_lower_bound  # verdicts imports this module: imported when called

    return 1.0 - one_sided_lower_bound(draws - exceed, draws, alpha)


def _interval_decimals(low: float, high: float) -> int:
    """Decimals that keep an interval's two ends apart: 0 for a wide one, more as it narrows (large n)."""
    width = 100 * (high - low)
    return 0 if width >= 10 else 1 if width >= 1 else 2


def _sector(name: str, lang: str) -> str:
    return category_labels(lang).get(("sector", name), name)


def _names(items, lang: str) -> str:
    return ", ".join(items) if len(items) else TEXT[lang]["none"]


@sentence
def data_notice(survey: pd.DataFrame, lang: str = "fr") -> str:
    """The line every notebook shows first (:func:`coopai.notebook.setup`): which file, how many
    cooperatives, and whether they are rebuilt, in the run's language.

    Examples
    --------
    >>> s = pd.DataFrame({"x": [1, 2]})
    >>> s.attrs = {"source_file": "a.csv", "rebuilt": False}
    >>> data_notice(s, "en")
    '**Data:** `a.csv`, 2 cooperatives, origin: **observed**'
    """
    t = TEXT[check_lang(lang)]
    origin = tables.data_origin(survey)
    notice = t["data_notice"].format(file=tables.markdown_literal(survey.attrs.get("source_file", "?")),
                                     n=number(len(survey), lang), origin=t["origins"][origin])
    return notice + (t["data_rebuilt"] if origin == "rebuilt" else "")


@sentence
def setup_design_note(survey_design, lang: str = "fr") -> str:
    """The line under the data line of notebooks 02 to 04 when a design is declared: where its estimates are."""
    return TEXT[check_lang(lang)]["setup_design"].format(design=_design_name(survey_design))


# Notebook 02 ------------------------------------------------------------------------------------

@sentence
def sample_note(survey: pd.DataFrame, alpha: float = plan.ALPHA, lang: str = "fr") -> str:
    """How the cooperatives were chosen (the published study's, or the user's), and how wide an interval is here."""
    t = TEXT[check_lang(lang)]
    n = len(survey)
    head = (t["published_sample"].format(n=n) if tables.data_origin(survey) == "rebuilt"
            else t["own_sample"].format(n=number(n, lang), file=survey.attrs.get("source_file", "?")))
    low, high = wilson_interval(n / 2, n, alpha)
    sizes = survey["sector"].value_counts()
    sizes = sizes[sizes > 0]
    smallest = sizes.sort_values(kind="stable").index[0]
    m = int(sizes[smallest])
    k = m // 3 if m >= 3 else 1
    s_low, s_high = wilson_interval(k, m, alpha)
    half_decimals = 0 if high - low >= 0.02 else 1
    half = round(100 * (high - low) / 2, half_decimals)
    width = t["width"].format(n=number(n, lang), level=style.confidence_level(alpha, lang),
                              half=number(half, lang, half_decimals), points=counted_form("point", half, lang),
                              # "the smallest" of one sector says nothing: a one-sector survey has only one
                              which=t["smallest_sector" if len(sizes) > 1 else "only_sector"],
                              sector=_sector(smallest, lang), m=number(m, lang),
                              cooperatives=counted_form("cooperative", m, lang), k=number(k, lang),
                              low=percent(s_low, lang, _interval_decimals(s_low, s_high)),
                              high=percent(s_high, lang, _interval_decimals(s_low, s_high)))
    return f"{head} {width}"


@sentence
def sector_cell_example(table1: pd.DataFrame, alpha: float = plan.ALPHA, lang: str = "fr") -> str:
    """One Table 1 cell of the smallest sector read with its n (where a share is fewest cooperatives)."""
    cells = table1[(table1["sector"] != "Total") & (table1["n"] > 0)]
    smallest = cells["n"].min()
    cell = cells[cells["n"] == smallest].sort_values(["percent", "practice"], ascending=[False, True],
                                                     kind="stable").iloc[0]
    return TEXT[check_lang(lang)]["cell_example"].format(
        pct=format_percent(cell["percent"], lang, 0), sector=_sector(cell["sector"], lang), k=number(cell["count"], lang),
        cooperatives=counted_form("cooperative", cell["count"], lang),
        m=number(cell["n"], lang), level=style.confidence_level(alpha, lang),
        low=format_percent(cell["ci_low"], lang, _interval_decimals(cell["ci_low"] / 100, cell["ci_high"] / 100)),
        high=format_percent(cell["ci_high"], lang, _interval_decimals(cell["ci_low"] / 100, cell["ci_high"] / 100)))


@sentence
def digital_status_note(survey: pd.DataFrame, lang: str = "fr") -> str:
    """Digital-tool use: users, non-users and the cooperatives in neither group."""
    t = TEXT[check_lang(lang)]
    n = len(survey)
    counts = survey["digital_tool_status"].astype(str).value_counts()
    uses, none = int(counts.get("uses", 0)), int(counts.get("none", 0))
    unclassified = n - uses - none
    text = t["digital"].format(uses=number(uses, lang), cooperatives=counted_form("cooperative", uses, lang),
                               use=counted_form("use", uses, lang), none=number(none, lang),
                               use_none=counted_form("use_none", none, lang), uses_pct=percent(uses / n, lang),
                               none_pct=percent(none / n, lang))
    if unclassified:
        text += t["digital_neither"].format(unclassified=number(unclassified, lang),
                                            is_neither=counted_form("is_neither", unclassified, lang))
    if tables.data_origin(survey) == "rebuilt" and unclassified:
        text += t["digital_rebuilt"].format(unclassified=number(unclassified, lang))
    return text


@sentence
def knowledge_interest_note(survey: pd.DataFrame, lang: str = "fr") -> str:
    """How many cooperatives have both heard of AI and are interested: forced by the totals on rebuilt data."""
    n = len(survey)
    heard = int(survey["heard_of_ai"].astype(bool).sum())
    interested = int(survey["interested_in_ai"].astype(bool).sum())
    neither = int(survey["neither_knows_nor_interested_ai"].astype(bool).sum())
    both = int((survey["heard_of_ai"].astype(bool) & survey["interested_in_ai"].astype(bool)).sum())
    key = "overlap_rebuilt" if tables.data_origin(survey) == "rebuilt" else "overlap_observed"
    return TEXT[check_lang(lang)][key].format(
        heard=percent(heard / n, lang), interested=percent(interested / n, lang), neither=percent(neither / n, lang),
        both=number(both, lang), cooperatives=counted_form("cooperative", both, lang),
        know_interested=counted_form("know_interested", both, lang), heard_k=number(heard, lang),
        interested_k=number(interested, lang),
        n=number(n, lang), neither_k=number(neither, lang))


@sentence
def descriptive_takeaways(survey: pd.DataFrame, summaries, alpha: float = plan.ALPHA, lang: str = "fr") -> str:
    """The take-away bullets of notebook 02: what the counts mean here, and how wide the intervals are.

    ``summaries``: tables with ``proportion, ci_low, ci_high`` in 0..1 (``stats.proportion_summary``).
    """
    t = TEXT[check_lang(lang)]
    half = pd.concat([100 * (s["ci_high"] - s["ci_low"]) / 2 for s in summaries])
    counts = t["takeaway_counts_rebuilt" if tables.data_origin(survey) == "rebuilt" else "takeaway_counts_observed"]
    width = t["takeaway_width"].format(n=number(len(survey), lang), level=style.confidence_level(alpha, lang),
                                       median=number(half.median(), lang, 1), lo=number(half.min(), lang, 1),
                                       hi=number(half.max(), lang, 1),
                                       points=counted_form("point", round(half.max(), 1), lang))  # after the last
    return f"- {counts}\n- {width}\n- {t['takeaway_tests']}"


# Notebook 03 ------------------------------------------------------------------------------------

@sentence
def multiplicity_note(n_tests: int, alpha: float = plan.ALPHA, lang: str = "fr") -> str:
    """Why Holm: the family-wise error of ``n_tests`` uncorrected tests at ``alpha``.

    Examples
    --------
    >>> multiplicity_note(4, 0.05, "en").split(";")[1].split(" (")[0].strip()
    'with 4 tests at 5%, the chance of at least one false alarm reaches 19%'
    """
    fwer = 1 - (1 - alpha) ** n_tests
    return TEXT[check_lang(lang)]["multiplicity"].format(m=n_tests, alpha=percent(alpha, lang, _decimals(alpha)),
                                                         fwer=percent(fwer, lang, 0))


def _decimals(alpha: float) -> int:
    return 0 if abs(100 * alpha - round(100 * alpha)) < 1e-9 else 1


def _span(values: pd.Series, lang: str) -> tuple[str, str]:
    """A smallest and a largest percentage as a sentence prints them, with decimals enough to tell
    two different values apart (up to 2); both the same string when the values are equal."""
    lo, hi = float(values.min()), float(values.max())
    for decimals in range(3):
        lo_text, hi_text = format_percent(lo, lang, decimals), format_percent(hi, lang, decimals)
        if lo == hi or lo_text != hi_text:
            break
    return lo_text, hi_text


@sentence
def sector_test_summary(tests: pd.DataFrame, alpha: float = plan.ALPHA, lang: str = "fr") -> str:
    """Notebook 03's check lines: Monte Carlo against exact, how each p was computed, Cochran's rule, rejections;
    a test that does not exist on this survey (one sector, or one answer) is listed with its reason.

    Each line names the method of the p it rests on (``exact_method``): the Monte Carlo check is made
    only where an exact p exists (and said to be impossible where none does); past exact
    enumeration's reach the primary p is the Monte Carlo estimate itself, and a p at its floor
    1/(1 + B) is said to be one, with the exact p's upper confidence bound
    (:func:`at_monte_carlo_floor` states the rule).

    Examples
    --------
    >>> row = {"practice": "x", "exact_method": "monte_carlo_20000", "p_exact": 1 / 20001, "p_exact_holm": 4 / 20001,
    ...        "p_monte_carlo": 1 / 20001, "p_monte_carlo_se": 5e-05, "pct_cells_expected_lt5": 0.0,
    ...        "min_expected": 2853.1, "computable": True, "reason": ""}
    >>> print(sector_test_summary(pd.DataFrame([row]), 0.05, "en"))  # doctest: +NORMALIZE_WHITESPACE
    - No practice has an exact p on this survey: exact enumeration is out of reach at this size, so each primary p
      is the Monte Carlo estimate of the exact test’s p ((1 + b)/(1 + B), 20,000 draws), with its standard error
      (`p_monte_carlo_se`), and no exact p exists to check it against.
    - Method of the primary p: `x` Monte Carlo (20,000 draws).
    - At the Monte Carlo floor (`x`): none of the 20,000 drawn tables is as extreme as the observed one, so
      p = 5×10⁻⁵, the smallest value (1 + b)/(1 + B) can take. It is a valid p-value, not a bound on the exact
      p, which lies below 0.00015 with 95% confidence (0 of 20,000 draws, Clopper-Pearson).
    - Cells with expected count below 5: 0% in every practice (Cochran’s rule asks for at most 20%); smallest
      expected count 2,853.1.
    - Practices whose test rejects independence after Holm at alpha = 0.05, each p the Monte Carlo estimate
      (20,000 draws) of the exact test’s: `x`.
    """
    t = TEXT[check_lang(lang)]
    computable = tests["computable"].astype(bool) if "computable" in tests else pd.Series(True, index=tests.index)
    missing = [f"`{r.practice}`: {t['not_computable']}, {reason_in(r.reason, lang)}"
               for r in tests[~computable].itertuples()]
    tests = tests[computable]
    if tests.empty:
        return "\n".join(f"- {line}" for line in [t["none_computable"]] + missing)
    a = number(alpha, lang, 2 if _decimals(alpha) == 0 else 3)
    is_exact = tests["exact_method"] == "exact"
    exact, simulated = tests[is_exact], tests[~is_exact]
    check_draws = number(plan.MONTE_CARLO_DRAWS, lang)  # the p_monte_carlo column's draws (sector_tests)
    agree = t["yes"] if all(monte_carlo_agrees(r.p_exact, r.p_monte_carlo, r.p_monte_carlo_se, plan.MONTE_CARLO_DRAWS)
                            for r in exact.itertuples()) else t["no"]
    # all([]) is True: with no exact p there is nothing to compare, and the line says so instead of "yes".
    if simulated.empty:
        check = t["mc_agree"].format(draws=check_draws, agree=agree)
    elif exact.empty:
        check = t["mc_no_exact"].format(draws=check_draws)
    else:
        check = t["mc_agree_some"].format(draws=check_draws, agree=agree, names=_names(_code(exact["practice"]), lang),
                                          others=_names(_code(simulated["practice"]), lang))
    lines = [check, t["p_methods"].format(methods=", ".join(f"`{r.practice}` {p_method(r.exact_method, lang)}"
                                                            for r in tests.itertuples()))]
    for method, group in simulated.groupby("exact_method", sort=False):
        draws = monte_carlo_draws(method)
        floor = group[[at_monte_carlo_floor(p, draws) for p in group["p_exact"]]]
        if len(floor):
            lines.append(t["mc_floor"].format(names=_names(_code(floor["practice"]), lang), draws=number(draws, lang),
                                              p=format_p(1 / (1 + draws), lang),
                                              bound=format_p(monte_carlo_upper_bound(0, draws, alpha), lang),
                                              level=style.confidence_level(alpha, lang)))
    lo, hi = _span(tests["pct_cells_expected_lt5"], lang)
    min_expected = number(tests["min_expected"].min(), lang, 1)
    lines.append(t["cochran_one"].format(pct=lo, min_expected=min_expected) if lo == hi
                 else t["cochran"].format(lo=lo, hi=hi, min_expected=min_expected))
    rejected = tests[tests["p_exact_holm"] < alpha]
    if simulated.empty:
        lines.append(t["rejected"].format(alpha=a, names=_names(_code(rejected["practice"]), lang)))
    elif exact.empty and simulated["exact_method"].nunique() == 1:
        lines.append(t["rejected_mc"].format(alpha=a, draws=number(monte_carlo_draws(simulated["exact_method"].iloc[0]), lang),
                                             names=_names(_code(rejected["practice"]), lang)))
    else:
        lines.append(t["rejected_mixed"].format(alpha=a, names=_names(
            [f"`{r.practice}` ({p_method(r.exact_method, lang)})" for r in rejected.itertuples()], lang)))
    return "\n".join(f"- {line}" for line in lines + missing)


def _code(names) -> list[str]:
    """Variable names as Markdown code, as the check lines print them."""
    return [f"`{x}`" for x in names]


@sentence
def mmi_summary(mmi_table: pd.DataFrame, origin: str, alpha: float = plan.ALPHA, lang: str = "fr",
                with_constant: float | None = None, zero_cells: int | None = None) -> str:
    """Notebook 03's MMI lines: the declared form's decision (:data:`coopai.plan.MMI_PRIMARY`), the
    other forms beside it, why they differ where they do, each Monte Carlo p with its standard
    error; on rebuilt data the spread over the rebuilds, on observed data nothing about rebuilds.

    ``mmi_table`` is :func:`coopai.mmi.mmi_over_rebuilds` (first row: this dataset);
    ``with_constant`` is X2_S with MRCV's 0.5 added to zero cells, when computed; ``zero_cells`` the
    number of cells it fills (:func:`coopai.mmi.zero_cells`): with none, the line says the rule
    changes nothing here rather than comparing a number with itself.

    Examples
    --------
    >>> row = {"x2_s": 21.34, "p_bonferroni_exact": 0.0052, "p_bonferroni_exact_se": 0.0,
    ...        "p_bonferroni_asymptotic": 0.0193, "p_rao_scott": 0.1008, "p_permutation": 0.0813,
    ...        "p_permutation_se": 0.00273, "permutations": 9999}
    >>> print(mmi_summary(pd.DataFrame([row]), "observed", 0.05, "en"))  # doctest: +NORMALIZE_WHITESPACE
    - X2_S = 21.34. Decision (`p_bonferroni_exact`, Bonferroni over exact p-values): p = 0.0052, rejects multiple
      marginal independence at alpha = 0.05.
    - Beside it: Bonferroni over asymptotic p-values p = 0.0193 (rejects); Rao-Scott second order p = 0.101 (does
      not reject); permutation of whole cooperatives p = 0.0813 (standard error 0.00273, 9,999 permutations; does
      not reject).
    - Not every form reaches the same decision: Rao-Scott second order rests on a large-sample approximation;
      permutation of whole cooperatives rests on the stronger null of joint independence. The decision is the
      declared form’s; the others show how much it depends on that choice.
    """
    t = TEXT[check_lang(lang)]
    mmi = mmi_table.iloc[0]
    forms, why = t["mmi_forms"], t["mmi_why"]
    primary_key = plan.MMI_PRIMARY
    others = [k for k in forms if k != primary_key]

    def decide(p):
        return t["not_computable"] if pd.isna(p) else t["rejects"] if p < alpha else t["does_not_reject"]

    def se_of(row, key):
        return float(row.get(f"{key}_se", 0.0) or 0.0)

    primary = mmi[primary_key]
    primary_se = se_of(mmi, primary_key)
    lines = [t["mmi_decision"].format(x2=number(mmi["x2_s"], lang, 2), key=primary_key, form=forms[primary_key],
                                      p=format_p(primary, lang),
                                      # A standard error only where the smallest practice p is a Monte Carlo estimate.
                                      se=t["mmi_se_draws"].format(se=format_p(primary_se, lang),
                                                                  draws=number(plan.MONTE_CARLO_DRAWS, lang))
                                      if primary_se > 0 else "",
                                      decision=decide(primary),
                                      alpha=number(alpha, lang, 2 if _decimals(alpha) == 0 else 3))]
    beside = []
    for k in others:
        template = ("mmi_form_nc" if pd.isna(mmi[k]) else "mmi_form" if k != "p_permutation"
                    else "mmi_form_floor" if at_monte_carlo_floor(mmi[k], int(mmi["permutations"])) else "mmi_form_mc")
        beside.append(t[template].format(form=forms[k], p=format_p(mmi[k], lang), se=format_p(se_of(mmi, k), lang),
                                         draws=number(mmi["permutations"], lang), decision=decide(mmi[k])))
    lines.append(t["mmi_beside"].format(forms="; ".join(beside)))
    differ = [k for k in others if not pd.isna(mmi[k]) and (mmi[k] < alpha) != (primary < alpha)]
    if differ:
        lines.append(t["mmi_differ"].format(reasons="; ".join(
            t["mmi_reason"].format(form=forms[k], why=why[k]) for k in differ)))
    if origin == "rebuilt" and len(mmi_table) > 1:
        items = []
        for k in others + [primary_key]:
            lo, hi = mmi_table[k].min(), mmi_table[k].max()
            se_max = float(mmi_table[f"{k}_se"].max()) if f"{k}_se" in mmi_table else 0.0
            if hi - lo <= 1e-12:  # equal up to rounding
                items.append(t["mmi_same"].format(form=forms[k], p=format_p(mmi[k], lang)))
            elif se_max > 0:
                items.append(t["mmi_range_se"].format(form=forms[k], lo=format_p(lo, lang), hi=format_p(hi, lang),
                                                      se=format_p(se_max, lang)))
            else:
                items.append(t["mmi_range"].format(form=forms[k], lo=format_p(lo, lang), hi=format_p(hi, lang)))
        lines.append(t["mmi_spread"].format(datasets=number(len(mmi_table), lang),
                                            others=number(len(mmi_table) - 1, lang),
                                            items="; ".join(items)))
    if with_constant is not None and zero_cells is None:
        raise ValueError("mmi_summary: with_constant needs zero_cells (coopai.mmi.zero_cells), "
                         "or the line cannot say whether the constant changes anything")
    if with_constant is not None and zero_cells == 0:
        lines.append(t["mmi_constant_none"].format(x2=number(mmi["x2_s"], lang, 2)))
    elif with_constant is not None:
        lines.append(t["mmi_constant"].format(with_=number(with_constant, lang, 2), x2=number(mmi["x2_s"], lang, 2)))
    return "\n".join(f"- {line}" for line in lines)


@sentence
def total_only_note(origin: str, table: pd.DataFrame, alpha: float = plan.ALPHA, lang: str = "fr") -> str:
    """Section 6 of notebook 03: identification ranges on rebuilt data (``table`` the ranges), point
    tests with Holm in the plan's total-only family on observed data (``table`` the tests)."""
    t = TEXT[check_lang(lang)]
    a = number(alpha, lang, 2 if _decimals(alpha) == 0 else 3)
    if origin == "rebuilt":
        strict = table[table["constraint_set"] == table["constraint_set"].iloc[-1]]  # the last, strictest set
        straddle = int(((strict["p_exact_min"] < alpha) & (strict["p_exact_max"] >= alpha)).sum())
        return t["total_only_rebuilt"].format(k=strict["variable"].nunique(), straddle=straddle, alpha=a)
    rejected = list(table.loc[table["p_exact_holm"] < alpha, "practice"])
    tested = table[table["computable"].astype(bool)] if "computable" in table else table
    simulated = tested[tested["exact_method"] != "exact"]
    how = ""
    if len(simulated):  # past exact enumeration's reach: the p is the Monte Carlo estimate, and the note says whose
        draws = number(monte_carlo_draws(simulated["exact_method"].iloc[0]), lang)
        how = (t["total_only_mc"].format(draws=draws) if len(simulated) == len(tested)
               else t["total_only_mixed"].format(draws=draws, names=_names(_code(simulated["practice"]), lang)))
    return t["total_only_observed"].format(k=len(table), alpha=a, names=_names(_code(rejected), lang), how=how)


@sentence
def power_note(power_table: pd.DataFrame, sizes, paper_power: pd.DataFrame, paper_sizes, lang: str = "fr") -> str:
    """What the sector test can detect with this run's sector sizes, with the published study's as a reference."""
    t = TEXT[check_lang(lang)]
    sizes, paper_sizes = [int(x) for x in sizes if int(x) > 0], [int(x) for x in paper_sizes]

    def at(table, w):  # the exact test's power where it was computed, else the approximation's
        row = table.set_index("w").loc[w]
        if pd.isna(row["power_approx"]):
            return t["not_computable"]
        exact = not pd.isna(row["power_exact"])
        return number(row["power_exact"] if exact else row["power_approx"], lang, 2) + t["exact" if exact else "approx"]

    values = dict(n=number(sum(sizes), lang), sizes=", ".join(number(x, lang) for x in sizes),
                  power=at(power_table, 0.3), power_large=at(power_table, 0.5))
    if sizes == paper_sizes:
        return t["power_same"].format(**values)
    return t["power"].format(**values, paper_sizes=", ".join(number(x, lang) for x in paper_sizes),
                             paper_power=at(paper_power, 0.3))


# Notebook 04 ------------------------------------------------------------------------------------

@sentence
def estimate_note(checks: pd.DataFrame, alpha: float = plan.ALPHA, lang: str = "fr") -> str:
    """A percentage, an estimate: the primary H2 indicator as a count, and as an interval."""
    row = checks[(checks["hypothesis"] == "H2") & (checks["indicator"] == "reports_ai_barriers")].iloc[0]
    k, n = int(row["k"]), int(row["n"])
    return TEXT[check_lang(lang)]["estimate"].format(
        n=number(n, lang), k=number(k, lang), report=counted_form("report", k, lang), pct=percent(k / n, lang),
        low=percent(row["ci_low"], lang, _interval_decimals(row["ci_low"], row["ci_high"])),
        high=percent(row["ci_high"], lang, _interval_decimals(row["ci_low"], row["ci_high"])),
        level=style.confidence_level(alpha, lang))


@sentence
def h1_data_note(survey: pd.DataFrame, checks: pd.DataFrame, lang: str = "fr") -> str:
    """What the survey holds for H1: an outcome or not, AI-tool users against non-users, interest."""
    from .verdicts import H1_EXPOSURE, H1_OUTCOME

    t = TEXT[check_lang(lang)]
    users = int(survey[H1_EXPOSURE].astype(bool).sum())
    head = checks[(checks["hypothesis"] == "H1") & (checks["package_verdict"] != "supporting_indicator")].iloc[0]
    interest = checks[(checks["hypothesis"] == "H1") & (checks["indicator"] == "interested_in_ai")].iloc[0]
    k, n = int(interest["k"]), int(interest["n"])
    return t["h1_data"].format(outcome=t["has_outcome" if H1_OUTCOME in survey.columns else "no_outcome"],
                               users=number(users, lang), cooperatives=counted_form("cooperative", users, lang),
                               non_users=number(len(survey) - users, lang),
                               did_not=counted_form("did_not", len(survey) - users, lang),
                               verdict=head["package_verdict"], k=number(k, lang), n=number(n, lang),
                               pct=percent(k / n, lang))


@sentence
def hypothesis_takeaways(survey: pd.DataFrame, checks: pd.DataFrame, lang: str = "fr") -> str:
    """The take-away bullets of notebook 04, from the verdict table."""
    from .verdicts import H1_EXPOSURE

    t = TEXT[check_lang(lang)]
    h2 = checks[(checks["hypothesis"] == "H2") & (checks["indicator"] == "reports_ai_barriers")].iloc[0]
    h1 = checks[(checks["hypothesis"] == "H1") & (checks["package_verdict"] != "supporting_indicator")].iloc[0]
    k, n = int(h2["k"]), int(h2["n"])
    users = int(survey[H1_EXPOSURE].astype(bool).sum())
    return "\n".join([
        "- " + t["h2_takeaway"].format(k=number(k, lang), n=number(n, lang), report=counted_form("report", k, lang),
                                       pct=percent(k / n, lang), verdict=h2["package_verdict"]),
        "- " + t["h1_takeaway"].format(verdict=h1["package_verdict"], n=number(len(survey), lang),
                                       users=number(users, lang), cooperatives=counted_form("cooperative", users, lang),
                                       have_used=counted_form("have_used", users, lang)),
    ])


#: Lee and Wagenmakers' (2013) wording of Jeffreys' (1961) evidence categories, by lower bound (each word
#: is a key of ``TEXT[lang]["bf_words"]``). Here, beside the words: the verdict table's English reason
#: and notebook 04's lines both read it through :func:`bayes_factor_words`.
BAYES_FACTOR_WORDS = ((100, "extreme"), (30, "very strong"), (10, "strong"), (3, "moderate"), (1, "anecdotal"))


def bayes_factor_words(bf: float, hypothesis: str, lang: str = "fr") -> str:
    """Lee and Wagenmakers' (2013) words for a Bayes factor BF10 (evidence for H1 over H0) in ``lang``:
    1-3 anecdotal, 3-10 moderate, 10-30 strong, 30-100 very strong, above 100 extreme; a factor below
    1 is read the same way as 1/BF, as evidence for H0. ``hypothesis`` names H1 in words, as the
    template needs it after "for" / "en faveur". The one reading of :data:`BAYES_FACTOR_WORDS`: the
    verdict table's English reason (:func:`h2_reason`) and notebook 04's lines.

    Examples
    --------
    >>> bayes_factor_words(4.77, "d'une majorité", "fr"), bayes_factor_words(0.2, "a majority", "en")
    ("preuve modérée en faveur d'une majorité", 'moderate evidence for H0')
    >>> bayes_factor_words(2.42, "H1", "en"), bayes_factor_words(0.2, "d'une majorité", "fr")
    ('anecdotal evidence for H1', 'preuve modérée en faveur de H0')
    """
    t = TEXT[check_lang(lang)]
    if not np.isfinite(bf) or bf <= 0:
        return t["bf_evidence"].format(word=t["bf_words"]["extreme"], favoured=hypothesis if bf == np.inf else t["h0"])
    favoured, value = (hypothesis, bf) if bf >= 1 else (t["h0"], 1 / bf)
    if value == 1:
        return t["bf_none"]
    word = next(w for bound, w in BAYES_FACTOR_WORDS if value >= bound)
    return t["bf_evidence"].format(word=t["bf_words"][word], favoured=favoured)


# The reasons of the verdict table (coopai.verdicts, coopai.hypotheses) ---------------------------
# One wording for the table's `reason` column (lang="en": data, kept in English, untypeset) and for
# notebook 04's lines in the run's language (typeset there by @sentence). Numbers print as every
# sentence prints them (number, percent), so the English column groups thousands ("1,500 of 2,000").

def h2_reason(test, sensitivity: pd.DataFrame, verdict: str, alpha: float = plan.ALPHA, lang: str = "fr") -> str:
    """Why H2 got ``verdict`` (:func:`coopai.verdicts.h2_verdict`'s rule), untypeset: the count, the
    one-sided exact p against one half, the thresholds shown to be exceeded and those tested and not
    exceeded (``sensitivity``: :func:`coopai.hypotheses.h2_sensitivity`), the one-sided lower bound
    and the Bayes factors in words. ``test``: the primary test, as
    :func:`coopai.hypotheses.proportion_check` returns it or as the verdict table holds it.

    Examples
    --------
    >>> from coopai.hypotheses import h2_sensitivity, proportion_check
    >>> h2_reason(proportion_check(15, 30, 0.5), h2_sensitivity(15, 30), "not_supported", 0.05, "en")[:83]
    '15 of 30 report barriers (one-sided exact p = 0.572 against one half): not shown to'
    """
    from .verdicts import one_sided_lower_bound

    t = TEXT[check_lang(lang)]
    k, n = int(test["k"]), int(test["n"])
    evidence = t["h2_evidence"].format(
        level=style.confidence_level(alpha, lang), lower=percent(one_sided_lower_bound(k, n, alpha), lang, 1),
        bf_plus=format_bf(test["bf_plus"], test.get("log10_bf_plus"), lang),
        bf_plus_words=bayes_factor_words(test["bf_plus"], t["a_majority"], lang),
        bf10=format_bf(test["bf10"], test.get("log10_bf10"), lang),
        bf10_words=bayes_factor_words(test["bf10"], t["other_than_half"], lang))
    values = dict(k=number(k, lang), n=number(n, lang), report=counted_form("report", k, lang), evidence=evidence,
                  p=format_p(test["p_value"], lang, test.get("log10_p_value")))  # never 0, even at n = 100,000
    if verdict == "not_supported":
        return t["h2_not_supported"].format(**values)
    held = sensitivity.loc[sensitivity["p_value"] < alpha, "threshold"]
    failed = sensitivity.loc[sensitivity["p_value"] >= alpha, "threshold"]
    tested = (t["h2_failed"].format(thresholds=", ".join(percent(x, lang, 0) for x in failed)) if len(failed)
              else t["h2_all_held"])
    return t["h2_partial"].format(**values, held=percent(float(held.max()), lang, 0), tested=tested)


def h1_reason(problems, users: int, non_users: int, planning: dict, lang: str = "fr") -> str:
    """Why H1 is testable or not (:func:`coopai.verdicts.h1_verdict`'s rule), untypeset: ``problems``
    the rule's findings (:func:`coopai.verdicts.h1_problems`: ``no_outcome``, ``small_groups``; none:
    testable), with the power of the groups as they are and the size 80 % power needs (``planning``:
    :func:`coopai.power.h1_planning`).

    Examples
    --------
    >>> h1_reason((), 15, 15, {}, "en"), h1_reason((), 15, 15, {}, "fr")
    ('an outcome and two groups large enough are present', 'un résultat et deux groupes assez grands sont présents')
    """
    t = TEXT[check_lang(lang)]
    if not problems:
        return t["h1_testable"]
    words = {"no_outcome": t["h1_no_outcome"], "small_groups": _h1_small_group(users, non_users, lang)}
    # With an empty group there is nothing to compare: a power (0, or statsmodels' one-sample figure) would
    # describe a comparison that does not exist.
    comparison = (t["h1_comparison"].format(h=style.format_significant(plan.H1_EFFECT_SIZE_H, lang),
                                            power=number(planning["power_as_is"], lang, 2))
                  if min(users, non_users) > 0 else t["h1_no_comparison"])
    return t["h1_not_testable"].format(
        problems="; ".join(words[p] for p in problems), users=number(users, lang), non_users=number(non_users, lang),
        comparison=comparison, target=percent(plan.TARGET_POWER, lang, 0), n80=number(planning["n_per_group_80"], lang))


def _h1_small_group(users: int, non_users: int, lang: str) -> str:
    """Which of H1's groups is too small, in words: the smaller one (users or non-users), or none at all."""
    t = TEXT[lang]
    values = dict(users=number(users, lang), non_users=number(non_users, lang))
    if users <= non_users:
        return t["h1_no_users"] if users == 0 else t["h1_small_groups"].format(
            **values, cooperatives=counted_form("cooperative", users, lang),
            have_used=counted_form("have_used", users, lang), did_not=counted_form("did_not", non_users, lang))
    return t["h1_no_non_users"] if non_users == 0 else t["h1_small_non_users"].format(
        **values, cooperatives=counted_form("cooperative", non_users, lang),
        have_not_used=counted_form("have_not_used", non_users, lang))


def h1_interest_reason(test, alpha: float = plan.ALPHA, lang: str = "fr") -> str:
    """What the interest share says for H1, untypeset: a majority or not (one-sided exact p against
    one half), and that interest is not evidence of an effect. ``test`` as in :func:`h2_reason`.

    Examples
    --------
    >>> h1_interest_reason({"k": 21, "n": 30, "p_value": 0.0214}, 0.05, "en")
    '21 of 30 interested (p = 0.0214 against one half): a majority; a sign of interest, not evidence of an effect on marketing'
    """
    t = TEXT[check_lang(lang)]
    k = int(test["k"])
    # No cooperative interested is no sign of interest at all: the sentence must not call it one.
    return t["h1_interest" if k else "h1_interest_none"].format(
        k=number(k, lang), n=number(int(test["n"]), lang), interested=counted_form("interested", k, lang),
        p=format_p(test["p_value"], lang, test.get("log10_p_value")),
        majority=t["majority" if test["p_value"] < alpha else "no_majority"])


@sentence
def h2_verdict_note(checks: pd.DataFrame, alpha: float = plan.ALPHA, lang: str = "fr") -> str:
    """Notebook 04's H2 verdict: the paper's and the package's (:func:`coopai.verdicts.h2_verdict`, read
    from the verdict table), why (:func:`h2_reason`, which also wrote the table's English ``reason``),
    and why the rule cannot say ``supported``; in the run's language."""
    from .hypotheses import h2_sensitivity, verdict_row
    from .verdicts import H2_VERDICTS

    t = TEXT[check_lang(lang)]
    row = verdict_row(checks, "H2")
    sensitivity = h2_sensitivity(int(row["k"]), int(row["n"]), alpha=alpha)  # the thresholds the rule tested
    reason = h2_reason(row, sensitivity, row["package_verdict"], alpha, lang)
    head = t["h2_head"].format(paper=row["paper_verdict"], package=row["package_verdict"])
    ceiling = t["h2_ceiling"].format(verdicts=t["or"].join(f"`{v}`" for v in H2_VERDICTS))
    return f"{head}  \n{reason}.\n\n{ceiling}"


@sentence
def h1_indicator_notes(survey: pd.DataFrame, checks: pd.DataFrame, alpha: float = plan.ALPHA, lang: str = "fr") -> str:
    """Notebook 04's lines on H1's rows of the verdict table: each indicator's verdict and why
    (:func:`h1_reason`, :func:`h1_interest_reason`, which also wrote the table's English ``reason``), in
    the run's language (the verdict is the table's, from :func:`coopai.verdicts.h1_verdict`)."""
    from .hypotheses import H1_INTEREST_INDICATOR
    from .power import h1_planning
    from .verdicts import h1_groups, h1_problems

    t = TEXT[check_lang(lang)]
    users, non_users = h1_groups(survey)
    lines = []
    for _, row in checks[checks["hypothesis"] == "H1"].iterrows():
        if row["indicator"] == H1_INTEREST_INDICATOR:
            reason = h1_interest_reason(row, alpha, lang)
        else:
            reason = h1_reason(h1_problems(survey), users, non_users, h1_planning(users, non_users, alpha), lang)
        lines.append(t["h1_indicator"].format(indicator=row["indicator"], package=row["package_verdict"],
                                              paper=row["paper_verdict"], reason=reason))
    return "\n".join(lines)


@sentence
def planner_design_note(survey_design, lang: str = "fr") -> str:
    """Notebook 04's line under the sample-size planner when it has no design effect: no design was
    declared (``survey_design`` falsy), or the declared one's weights do not count the population."""
    t = TEXT[check_lang(lang)]
    if not survey_design:
        return t["no_design"]
    return t["no_design_effect"].format(design=_design_name(survey_design))


def _design_name(survey_design) -> str:
    """The declared design as a sentence shows it: its description, Markdown-escaped."""
    return tables.markdown_literal(survey_design.describe())


def _design_used(survey_design, lang: str) -> str:
    return TEXT[lang]["design_used"].format(design=_design_name(survey_design))


@sentence
def descriptive_design_note(survey_design, prepared, lang: str = "fr") -> str:
    """Notebook 02's line on the survey design: the declared design with its strata, clusters and degrees
    of freedom (``prepared``: :func:`coopai.design.prepare`), or that none was declared."""
    t = TEXT[check_lang(lang)]
    if not survey_design:
        return t["no_design_counts"]
    strata, clusters = len(prepared.stratum_names), len(prepared.psu_stratum)
    text = _design_used(survey_design, lang) + t["design_counts"].format(
        strata=number(strata, lang), strata_word=counted_form("stratum", strata, lang),
        clusters=number(clusters, lang), clusters_word=counted_form("cluster", clusters, lang),
        degf=number(prepared.degf, lang), degf_word=counted_form("degree", prepared.degf, lang))
    if prepared.lonely_strata:
        text += t["design_lonely"].format(lonely=number(len(prepared.lonely_strata), lang))
    return text + "."


@sentence
def sector_design_note(survey_design, lang: str = "fr") -> str:
    """Notebook 03's line on the survey design: under a declared design the sector tests are Rao-Scott's,
    not the exact ones (why); with none, the exact tests are the sector tests."""
    t = TEXT[check_lang(lang)]
    return f"{_design_used(survey_design, lang)}. {t['design_exact']}" if survey_design else t["no_design_tests"]


@sentence
def audit_design_note(survey_design, lang: str = "fr") -> str:
    """Notebook 05's line under a declared design: the audit compares unweighted counts (the paper's had none)."""
    return TEXT[check_lang(lang)]["audit_design"].format(design=_design_name(survey_design))


@sentence
def replication_note(lang: str = "fr") -> str:
    """Notebook 05's line on rebuilt data, where no replication comparison exists."""
    return TEXT[check_lang(lang)]["replication_rebuilt"]


@sentence
def mmi_not_computable_note(reason: str, lang: str = "fr") -> str:
    """Notebook 03's MMI line when no sector comparison exists (``reason``:
    :func:`coopai.sector_tests.comparison_reason`, English, as the tests' ``reason`` column holds it;
    shown in ``lang`` by :func:`reason_in`)."""
    return TEXT[check_lang(lang)]["mmi_not_computable"].format(reason=reason_in(reason, lang))


# Why a sector test does not exist -----------------------------------------------------------------
# One wording for the tests' `reason` column (coopai.sector_tests writes it with lang="en": data,
# kept in English) and for the sentences that show it in the run's language.

#: The reasons :func:`reason_text` words, by template key.
REASONS = ("reason_no_answer", "reason_one_sector", "reason_same_answer")


def reason_text(reason: str, lang: str = "en", sector: str = "", answer: str = "") -> str:
    """Why no test of association exists on a sector-by-answer table, in ``lang``: ``reason`` is one
    of :data:`REASONS`; ``answer`` is the one answer given (``yes``/``no`` or a category's code).

    Examples
    --------
    >>> reason_text("reason_one_sector", "en", sector="Services")
    'one sector only (Services): comparing sectors needs cooperatives in at least two sectors'
    >>> reason_text("reason_same_answer", "fr", answer="no")[:52]
    'toutes les coopératives ont donné la même réponse («'
    """
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}: one of {', '.join(REASONS)}")
    t = TEXT[check_lang(lang)]
    return t[reason].format(sector=sector, answer=t["answer_names"].get(answer, answer))


def reason_in(reason: str, lang: str) -> str:
    """A reason of the sector tests' table (English, :func:`reason_text` with lang="en")
    in ``lang``: matched against the English templates and worded again from ``lang``'s. Any other
    text (a reason this module did not word) is returned as it is.

    Examples
    --------
    >>> reason_in("one sector only (Agriculture): comparing sectors needs cooperatives in at least two sectors", "fr")[:34]
    'un seul secteur (Agriculture) : co'
    >>> reason_in("no cooperative answered", "en"), reason_in("something else", "fr")
    ('no cooperative answered', 'something else')
    """
    check_lang(lang)
    english = TEXT["en"]
    for key in REASONS:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+)", re.escape(english[key]))
        found = re.fullmatch(pattern, reason)
        if found:
            names = {v: k for k, v in english["answer_names"].items()}
            values = found.groupdict()
            if "answer" in values:
                values["answer"] = names.get(values["answer"], values["answer"])
            return reason_text(key, lang, **values)
    return reason


@sentence
def naive_pooled_note(naive: dict | None, reason: str | None = None, lang: str = "fr") -> str:
    """Notebook 03's line on the naive pooled table (:func:`coopai.mmi.naive_pooled_chi2`): ticks
    counted as if independent, so not a valid test; or why it cannot be formed (``reason``)."""
    t = TEXT[check_lang(lang)]
    if naive is None:
        return t["naive_not_computable"].format(reason=reason_in(reason, lang))
    return t["naive"].format(ticks=number(naive["ticks"], lang), n=number(naive["cooperatives"], lang),
                             chi2=number(naive["chi2"], lang, 2), dof=number(naive["dof"], lang))


@sentence
def h1_power_note(power_check: pd.DataFrame, lang: str = "fr") -> str:
    """Notebook 04's lines on H1's power (:func:`coopai.hypotheses.h1_power_check`): the normal
    approximation against the exact power of the same z-test, for this survey's groups and for 100
    per group."""
    t = TEXT[check_lang(lang)]
    here, large = power_check.iloc[0], power_check.iloc[1]
    groups = dict(users=number(here["users"], lang), non_users=number(here["non_users"], lang),
                  users_word=counted_form("user", here["users"], lang),
                  non_users_word=counted_form("non_user", here["non_users"], lang))
    if min(here["users"], here["non_users"]) == 0:  # no second group: no test, so no power to compare
        first = t["h1_power_empty"].format(**groups)
    else:
        first = t["h1_power_here"].format(**groups, approx=number(here["power_as_is"], lang, 3),
                                          exact=number(here["power_exact_z_test"], lang, 3))
    ratio = here["power_as_is"] / here["power_exact_z_test"] if here["power_exact_z_test"] > 0 else math.nan
    if math.isfinite(ratio) and round(ratio, 1) != 1:  # "1.0 times" says nothing: the two agree
        first += t["h1_power_ratio"].format(ratio=number(ratio, lang, 1))
    second = t["h1_power_large"].format(users=number(large["users"], lang), non_users=number(large["non_users"], lang),
                                        approx=number(large["power_as_is"], lang, 3),
                                        exact=number(large["power_exact_z_test"], lang, 3))
    return f"- {first}.\n- {second}"


@sentence
def literature_counts(sources: int, units: int, pairs: int, codes: int, lang: str = "fr") -> str:
    """Notebook 01's line on the size of the literature coding, in the run's language.

    Examples
    --------
    >>> literature_counts(12, 3, 4, 5, "fr")
    '12 sources, 3 unités de codage (citation × section), 4 couples unité-code, 5 codes.'
    >>> literature_counts(12, 3, 4, 5, "en")
    '12 sources, 3 coding units (citation × section), 4 unit-code pairs, 5 codes.'
    """
    return TEXT[check_lang(lang)]["literature_counts"].format(
        sources=number(sources, lang), units=number(units, lang), pairs=number(pairs, lang), codes=number(codes, lang))


#: Every sentence function, for the tests (name -> how a notebook calls it is in the notebooks).
SENTENCES = ("sample_note", "sector_cell_example", "digital_status_note", "knowledge_interest_note",
             "descriptive_takeaways", "multiplicity_note", "sector_test_summary", "naive_pooled_note", "mmi_summary",
             "total_only_note", "power_note", "estimate_note", "h2_verdict_note", "h1_data_note", "h1_indicator_notes",
             "h1_power_note", "planner_design_note", "hypothesis_takeaways", "descriptive_design_note",
             "sector_design_note", "audit_design_note", "replication_note", "mmi_not_computable_note", "data_notice",
             "setup_design_note")
