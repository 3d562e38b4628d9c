from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'file_docs.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_title = resolve('title')
    l_0_summary = resolve('summary')
    l_0_metadata = resolve('metadata')
    l_0_docstring = resolve('docstring')
    l_0_facts = resolve('facts')
    l_0_api = resolve('api')
    l_0_outline = resolve('outline')
    l_0_outline_more = resolve('outline_more')
    l_0_dependencies = resolve('dependencies')
    l_0_dependencies_more = resolve('dependencies_more')
    l_0_used_by = resolve('used_by')
    l_0_tests = resolve('tests')
    l_0_no_findings = resolve('no_findings')
    l_0_notes = resolve('notes')
    l_0_notes_summary = resolve('notes_summary')
    l_0_notes_more = resolve('notes_more')
    l_0_related = resolve('related')
    l_0_source = resolve('source')
    l_0_nav = resolve('nav')
    l_0_symbol_list = missing
    try:
        t_1 = environment.filters['capitalize']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'capitalize' found.")
    try:
        t_2 = environment.filters['code']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'code' found.")
    try:
        t_3 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    pass
    yield '# '
    yield str(t_2((undefined(name='title') if l_0_title is missing else l_0_title)))
    yield '\n\n'
    if (undefined(name='summary') if l_0_summary is missing else l_0_summary):
        pass
        yield str((undefined(name='summary') if l_0_summary is missing else l_0_summary))
        yield '\n\n'
    yield '| | |\n| --- | --- |\n'
    for (l_1_name, l_1_value) in (undefined(name='metadata') if l_0_metadata is missing else l_0_metadata):
        _loop_vars = {}
        pass
        yield '| '
        yield str(l_1_name)
        yield ' | '
        yield str(l_1_value)
        yield ' |\n'
    l_1_name = l_1_value = missing
    yield '\n'
    if ((undefined(name='docstring') if l_0_docstring is missing else l_0_docstring) or (undefined(name='facts') if l_0_facts is missing else l_0_facts)):
        pass
        yield '## Purpose\n\n'
        if (undefined(name='docstring') if l_0_docstring is missing else l_0_docstring):
            pass
            yield str((undefined(name='docstring') if l_0_docstring is missing else l_0_docstring))
            yield '\n\n'
        for l_1_fact in (undefined(name='facts') if l_0_facts is missing else l_0_facts):
            _loop_vars = {}
            pass
            yield '- '
            yield str(l_1_fact)
            yield '\n'
        l_1_fact = missing
        if (undefined(name='facts') if l_0_facts is missing else l_0_facts):
            pass
            yield '\n'
    def macro(l_1_entries):
        t_4 = []
        if l_1_entries is missing:
            l_1_entries = undefined("parameter 'entries' was not provided", name='entries')
        pass
        for (l_2_indent, l_2_anchor, l_2_label, l_2_line, l_2_decorators, l_2_summary, l_2_subclasses, l_2_more_subclasses, l_2_details) in l_1_entries:
            _loop_vars = {}
            pass
            t_4.extend((
                str(l_2_indent),
                '- <a id="',
                str(l_2_anchor),
                '"></a>',
                str(l_2_label),
                ' · ',
                str(l_2_line),
            ))
            if l_2_decorators:
                pass
                t_4.extend((
                    ' · ',
                    str(l_2_decorators),
                ))
            if l_2_summary:
                pass
                t_4.extend((
                    ' — ',
                    str(l_2_summary),
                ))
            t_4.append(
                '\n',
            )
            for l_3_detail in l_2_details:
                _loop_vars = {}
                pass
                t_4.extend((
                    str(l_2_indent),
                    '  - ',
                    str(l_3_detail),
                    '\n',
                ))
            l_3_detail = missing
            if l_2_subclasses:
                pass
                t_4.extend((
                    str(l_2_indent),
                    '  - subclassed by ',
                    str(t_3(context.eval_ctx, l_2_subclasses, ', ')),
                ))
                if l_2_more_subclasses:
                    pass
                    t_4.extend((
                        ' ',
                        str(l_2_more_subclasses),
                    ))
                t_4.append(
                    '\n',
                )
        l_2_indent = l_2_anchor = l_2_label = l_2_line = l_2_decorators = l_2_summary = l_2_subclasses = l_2_more_subclasses = l_2_details = missing
        return concat(t_4)
    context.exported_vars.add('symbol_list')
    context.vars['symbol_list'] = l_0_symbol_list = Macro(environment, macro, 'symbol_list', ('entries',), False, False, False, context.eval_ctx.autoescape)
    if (undefined(name='api') if l_0_api is missing else l_0_api):
        pass
        yield '## API\n\n'
        if environment.getattr((undefined(name='api') if l_0_api is missing else l_0_api), 'classes'):
            pass
            yield '### Classes\n\n'
            yield str(environment.call(context, (undefined(name='symbol_list') if l_0_symbol_list is missing else l_0_symbol_list), environment.getattr((undefined(name='api') if l_0_api is missing else l_0_api), 'classes')))
            yield '\n'
        if environment.getattr((undefined(name='api') if l_0_api is missing else l_0_api), 'functions'):
            pass
            yield '### Functions\n\n'
            yield str(environment.call(context, (undefined(name='symbol_list') if l_0_symbol_list is missing else l_0_symbol_list), environment.getattr((undefined(name='api') if l_0_api is missing else l_0_api), 'functions')))
            yield '\n'
        if environment.getattr((undefined(name='api') if l_0_api is missing else l_0_api), 'type_aliases'):
            pass
            yield '### Type aliases\n\n'
            yield str(environment.call(context, (undefined(name='symbol_list') if l_0_symbol_list is missing else l_0_symbol_list), environment.getattr((undefined(name='api') if l_0_api is missing else l_0_api), 'type_aliases')))
            yield '\n'
        if environment.getattr((undefined(name='api') if l_0_api is missing else l_0_api), 'constants'):
            pass
            yield '### Constants\n\n'
            yield str(environment.call(context, (undefined(name='symbol_list') if l_0_symbol_list is missing else l_0_symbol_list), environment.getattr((undefined(name='api') if l_0_api is missing else l_0_api), 'constants')))
            yield '\n'
        if environment.getattr((undefined(name='api') if l_0_api is missing else l_0_api), 'variables'):
            pass
            yield '### Variables\n\n'
            yield str(environment.call(context, (undefined(name='symbol_list') if l_0_symbol_list is missing else l_0_symbol_list), environment.getattr((undefined(name='api') if l_0_api is missing else l_0_api), 'variables')))
            yield '\n'
        if environment.getattr((undefined(name='api') if l_0_api is missing else l_0_api), 'all_names'):
            pass
            yield '### Exported names\n\n`__all__`: '
            yield str(environment.getattr((undefined(name='api') if l_0_api is missing else l_0_api), 'all_names'))
            yield '\n\n'
        if environment.getattr((undefined(name='api') if l_0_api is missing else l_0_api), 'more'):
            pass
            yield str(environment.getattr((undefined(name='api') if l_0_api is missing else l_0_api), 'more'))
            yield '.\n\n'
    if (undefined(name='outline') if l_0_outline is missing else l_0_outline):
        pass
        yield '## Outline\n\n'
        for l_1_o in (undefined(name='outline') if l_0_outline is missing else l_0_outline):
            _loop_vars = {}
            pass
            yield str(environment.getattr(l_1_o, 'indent'))
            yield '- '
            yield str(environment.getattr(l_1_o, 'title'))
            yield ' · '
            yield str(environment.getattr(l_1_o, 'line'))
            yield '\n'
        l_1_o = missing
        yield '\n'
        if (undefined(name='outline_more') if l_0_outline_more is missing else l_0_outline_more):
            pass
            yield str((undefined(name='outline_more') if l_0_outline_more is missing else l_0_outline_more))
            yield '.\n\n'
    if (undefined(name='dependencies') if l_0_dependencies is missing else l_0_dependencies):
        pass
        yield '## Dependencies\n\n'
        l_1_loop = missing
        for l_1_group, l_1_loop in LoopContext((undefined(name='dependencies') if l_0_dependencies is missing else l_0_dependencies), undefined):
            _loop_vars = {}
            pass
            if environment.getattr(l_1_group, 'listed'):
                pass
                yield '### '
                yield str(t_1(environment.getattr(l_1_group, 'category')))
                yield '\n\n'
                for l_2_row in environment.getattr(l_1_group, 'rows'):
                    _loop_vars = {}
                    pass
                    yield '- '
                    for l_3_a in environment.getattr(l_2_row, 'anchors'):
                        _loop_vars = {}
                        pass
                        yield '<a id="'
                        yield str(l_3_a)
                        yield '"></a>'
                    l_3_a = missing
                    yield str(environment.getattr(l_2_row, 'module'))
                    yield ' · '
                    yield str(environment.getattr(l_2_row, 'line'))
                    if environment.getattr(l_2_row, 'links'):
                        pass
                        yield ' → '
                        yield str(environment.getattr(l_2_row, 'links'))
                    if environment.getattr(l_2_row, 'unresolved'):
                        pass
                        yield ' (not found in this workspace)'
                    if environment.getattr(l_2_row, 'flags'):
                        pass
                        yield ' ('
                        yield str(t_3(context.eval_ctx, environment.getattr(l_2_row, 'flags'), '; '))
                        yield ')'
                    yield '\n'
                l_2_row = missing
                yield '\n'
            else:
                pass
                yield str(t_1(environment.getattr(l_1_group, 'category')))
                yield ':'
                l_2_loop = missing
                for l_2_row, l_2_loop in LoopContext(environment.getattr(l_1_group, 'rows'), undefined):
                    _loop_vars = {}
                    pass
                    yield ' '
                    for l_3_a in environment.getattr(l_2_row, 'anchors'):
                        _loop_vars = {}
                        pass
                        yield '<a id="'
                        yield str(l_3_a)
                        yield '"></a>'
                    l_3_a = missing
                    yield str(environment.getattr(l_2_row, 'module'))
                    if environment.getattr(l_2_row, 'flags'):
                        pass
                        yield ' ('
                        yield str(t_3(context.eval_ctx, environment.getattr(l_2_row, 'flags'), '; '))
                        yield ')'
                    yield str((',' if (not environment.getattr(l_2_loop, 'last')) else '.'))
                l_2_loop = l_2_row = missing
                yield '\n\n'
        l_1_loop = l_1_group = missing
        if (undefined(name='dependencies_more') if l_0_dependencies_more is missing else l_0_dependencies_more):
            pass
            yield str((undefined(name='dependencies_more') if l_0_dependencies_more is missing else l_0_dependencies_more))
            yield '.\n\n'
    if (undefined(name='used_by') if l_0_used_by is missing else l_0_used_by):
        pass
        yield '<a id="used-by"></a>\n## Used by\n\n'
        if environment.getattr((undefined(name='used_by') if l_0_used_by is missing else l_0_used_by), 'importers'):
            pass
            yield 'Imported by '
            yield str(environment.getattr((undefined(name='used_by') if l_0_used_by is missing else l_0_used_by), 'importer_count'))
            yield ' file'
            yield str(('s' if (environment.getattr((undefined(name='used_by') if l_0_used_by is missing else l_0_used_by), 'importer_count') != 1) else cond_expr_undefined("the inline if-expression on line 128 in 'file_docs.md.j2' evaluated to false and no else section was defined.")))
            yield ': '
            yield str(t_3(context.eval_ctx, environment.getattr((undefined(name='used_by') if l_0_used_by is missing else l_0_used_by), 'importers'), ', '))
            if environment.getattr((undefined(name='used_by') if l_0_used_by is missing else l_0_used_by), 'more_importers'):
                pass
                yield ' '
                yield str(environment.getattr((undefined(name='used_by') if l_0_used_by is missing else l_0_used_by), 'more_importers'))
            yield '.\n\n'
        for l_1_r in environment.getattr((undefined(name='used_by') if l_0_used_by is missing else l_0_used_by), 'references'):
            _loop_vars = {}
            pass
            yield '- <a id="'
            yield str(environment.getattr(l_1_r, 'anchor'))
            yield '"></a>['
            yield str(environment.getattr(l_1_r, 'name'))
            yield ']('
            yield str(environment.getattr(l_1_r, 'definition'))
            yield ')'
            if environment.getattr(l_1_r, 'count'):
                pass
                yield ' is used in '
                yield str(environment.getattr(l_1_r, 'count'))
                yield ' other file'
                yield str(('s' if (environment.getattr(l_1_r, 'count') != 1) else cond_expr_undefined("the inline if-expression on line 133 in 'file_docs.md.j2' evaluated to false and no else section was defined.")))
                yield ': '
                yield str(t_3(context.eval_ctx, environment.getattr(l_1_r, 'files'), '; '))
                if environment.getattr(l_1_r, 'more'):
                    pass
                    yield '; '
                    yield str(environment.getattr(l_1_r, 'more'))
            if environment.getattr(l_1_r, 'definers'):
                pass
                if environment.getattr(l_1_r, 'count'):
                    pass
                    yield ';'
                yield ' also defined in '
                yield str(t_3(context.eval_ctx, environment.getattr(l_1_r, 'definers'), ', '))
                if environment.getattr(l_1_r, 'more_definers'):
                    pass
                    yield ' '
                    yield str(environment.getattr(l_1_r, 'more_definers'))
            yield '\n'
        l_1_r = missing
        if environment.getattr((undefined(name='used_by') if l_0_used_by is missing else l_0_used_by), 'references'):
            pass
            yield '\n'
    if (undefined(name='tests') if l_0_tests is missing else l_0_tests):
        pass
        yield '## Tests\n\n'
        if environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'rows'):
            pass
            yield str(environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'summary'))
            if environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'run_all'):
                pass
                yield '. Run them all with '
                yield str(environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'run_all'))
            yield '.\n'
            if environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'common'):
                pass
                yield 'Every test here: '
                yield str(environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'common'))
                yield '.\n'
            for l_1_line in environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'runner'):
                _loop_vars = {}
                pass
                yield str(l_1_line)
                yield '.\n'
            l_1_line = missing
            yield '\n| Test | Line | Style | Command |\n| --- | --- | --- | --- |\n'
            for l_1_t in environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'rows'):
                _loop_vars = {}
                pass
                yield '| '
                yield str(environment.getattr(l_1_t, 'name'))
                yield ' | '
                yield str(environment.getattr(l_1_t, 'line'))
                yield ' | '
                yield str(environment.getattr(l_1_t, 'style'))
                yield ' | '
                yield str(environment.getattr(l_1_t, 'command'))
                yield ' |\n'
            l_1_t = missing
            yield '\n'
            if environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'more'):
                pass
                yield str(environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'more'))
                yield '.\n\n'
            if environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'redefined'):
                pass
                yield 'Not collected, because defined again later in the file (the runner keeps the last): '
                yield str(t_3(context.eval_ctx, environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'redefined'), ', '))
                yield '.\n\n'
            if environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'exercises'):
                pass
                yield 'Exercises: '
                yield str(t_3(context.eval_ctx, environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'exercises'), ', '))
                yield '.\n\n'
        if environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'tested_by'):
            pass
            yield 'Tested by: '
            yield str(t_3(context.eval_ctx, environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'tested_by'), ', '))
            if environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'more_testers'):
                pass
                yield ' '
                yield str(environment.getattr((undefined(name='tests') if l_0_tests is missing else l_0_tests), 'more_testers'))
            yield '.\n\n'
    if (undefined(name='no_findings') if l_0_no_findings is missing else l_0_no_findings):
        pass
        yield '## Notes\n\n'
        yield str((undefined(name='no_findings') if l_0_no_findings is missing else l_0_no_findings))
        yield '\n\n'
    if (undefined(name='notes') if l_0_notes is missing else l_0_notes):
        pass
        yield '## Notes\n\n'
        yield str((undefined(name='notes_summary') if l_0_notes_summary is missing else l_0_notes_summary))
        yield '\n\n| Line | Note | Evidence |\n| --- | --- | --- |\n'
        for l_1_n in (undefined(name='notes') if l_0_notes is missing else l_0_notes):
            _loop_vars = {}
            pass
            yield '| '
            yield str(environment.getattr(l_1_n, 'line'))
            yield ' | '
            yield str(environment.getattr(l_1_n, 'kind'))
            yield ' | '
            yield str(environment.getattr(l_1_n, 'detail'))
            yield ' |\n'
        l_1_n = missing
        yield '\n'
        if (undefined(name='notes_more') if l_0_notes_more is missing else l_0_notes_more):
            pass
            yield str((undefined(name='notes_more') if l_0_notes_more is missing else l_0_notes_more))
            yield '.\n\n'
    if (undefined(name='related') if l_0_related is missing else l_0_related):
        pass
        yield '## Related files\n\n'
        for l_1_r in (undefined(name='related') if l_0_related is missing else l_0_related):
            _loop_vars = {}
            pass
            yield '- '
            yield str(environment.getattr(l_1_r, 'link'))
            yield ': '
            yield str(environment.getattr(l_1_r, 'reasons'))
            yield '\n'
        l_1_r = missing
        yield '\n'
    if (undefined(name='source') if l_0_source is missing else l_0_source):
        pass
        yield '## Source\n\n'
        if environment.getattr((undefined(name='source') if l_0_source is missing else l_0_source), 'excerpt'):
            pass
            yield 'The file is larger than '
            yield str(environment.getattr((undefined(name='source') if l_0_source is missing else l_0_source), 'limit'))
            yield ': its first '
            yield str(environment.getattr((undefined(name='source') if l_0_source is missing else l_0_source), 'shown'))
            yield '.\n\n'
        yield str(environment.getattr((undefined(name='source') if l_0_source is missing else l_0_source), 'fence'))
        yield str(environment.getattr((undefined(name='source') if l_0_source is missing else l_0_source), 'language'))
        yield '\n'
        yield str(environment.getattr((undefined(name='source') if l_0_source is missing else l_0_source), 'body'))
        yield '\n'
        yield str(environment.getattr((undefined(name='source') if l_0_source is missing else l_0_source), 'fence'))
        yield '\n\n'
        if environment.getattr((undefined(name='source') if l_0_source is missing else l_0_source), 'excerpt'):
            pass
            yield '… '
            yield str(environment.getattr((undefined(name='source') if l_0_source is missing else l_0_source), 'more'))
            yield '; see the source file: '
            yield str(environment.getattr((undefined(name='source') if l_0_source is missing else l_0_source), 'link'))
            yield '.\n\n'
    yield '## Navigation\n\n'
    yield str(t_3(context.eval_ctx, (undefined(name='nav') if l_0_nav is missing else l_0_nav), ' · '))
    yield '\n'

blocks = {}
debug_info = '2=50&4=52&5=54&10=57&11=61&14=67&17=70&18=72&21=74&22=78&24=81&28=84&29=89&30=93&31=101&32=107&34=116&35=120&37=126&38=129&43=146&46=149&49=152&51=154&54=157&56=159&59=162&61=164&64=167&66=169&69=172&71=174&74=177&77=179&78=181&82=183&85=186&86=189&89=197&90=199&94=201&97=205&98=208&99=211&101=213&102=217&103=227&104=231&105=234&110=244&111=247&112=259&118=268&119=270&123=272&127=275&128=278&131=288&132=292&133=298&134=310&137=323&141=326&144=329&145=331&146=337&147=340&149=342&150=345&155=349&156=353&159=363&160=365&163=367&164=370&167=372&168=375&172=377&173=380&177=386&180=389&183=391&186=394&190=396&191=400&194=408&195=410&199=412&202=415&203=419&207=425&210=428&211=431&214=435&215=438&216=440&218=442&219=445&225=450'