from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'folder_doc.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_title = resolve('title')
    l_0_navigation = resolve('navigation')
    l_0_role = resolve('role')
    l_0_role_source = resolve('role_source')
    l_0_role_link = resolve('role_link')
    l_0_kinds = resolve('kinds')
    l_0_total_files = resolve('total_files')
    l_0_key_modules = resolve('key_modules')
    l_0_api = resolve('api')
    l_0_api_more = resolve('api_more')
    l_0_diagram = resolve('diagram')
    l_0_dependencies = resolve('dependencies')
    try:
        t_1 = environment.filters['capitalize']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'capitalize' found.")
    try:
        t_2 = environment.filters['cell_code']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'cell_code' found.")
    try:
        t_3 = environment.filters['code']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'code' found.")
    try:
        t_4 = environment.filters['text']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'text' found.")
    pass
    yield '# '
    yield str(t_3((undefined(name='title') if l_0_title is missing else l_0_title)))
    yield ' — overview\n\n'
    l_1_loop = missing
    for (l_1_label, l_1_target), l_1_loop in LoopContext((undefined(name='navigation') if l_0_navigation is missing else l_0_navigation), undefined):
        _loop_vars = {}
        pass
        yield '['
        yield str(t_4(l_1_label))
        yield ']('
        yield str(l_1_target)
        yield ')'
        yield str((' · ' if (not environment.getattr(l_1_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 3 in 'folder_doc.md.j2' evaluated to false and no else section was defined.")))
    l_1_loop = l_1_label = l_1_target = missing
    yield '\n'
    if (undefined(name='role') if l_0_role is missing else l_0_role):
        pass
        yield '\n## Role\n\n'
        yield str(t_4((undefined(name='role') if l_0_role is missing else l_0_role)))
        yield '\n\nFrom ['
        yield str(t_3((undefined(name='role_source') if l_0_role_source is missing else l_0_role_source)))
        yield ']('
        yield str((undefined(name='role_link') if l_0_role_link is missing else l_0_role_link))
        yield ').\n'
    if (undefined(name='kinds') if l_0_kinds is missing else l_0_kinds):
        pass
        yield '\n## Files by type\n\n'
        yield str((undefined(name='total_files') if l_0_total_files is missing else l_0_total_files))
        yield ' '
        yield str(('file' if ((undefined(name='total_files') if l_0_total_files is missing else l_0_total_files) == 1) else 'files'))
        yield ' in this folder and its subfolders.\n\n| Type | Files | Lines |\n| --- | ---: | ---: |\n'
        for l_1_k in (undefined(name='kinds') if l_0_kinds is missing else l_0_kinds):
            _loop_vars = {}
            pass
            yield '| '
            yield str(t_4(environment.getattr(l_1_k, 'kind')))
            yield ' | '
            yield str(environment.getattr(l_1_k, 'files'))
            yield ' | '
            yield str(environment.getattr(l_1_k, 'lines'))
            yield ' |\n'
        l_1_k = missing
    if (undefined(name='key_modules') if l_0_key_modules is missing else l_0_key_modules):
        pass
        yield '\n## Key modules\n\nMost imported by other files of the workspace.\n\n| Module | Importers | Summary |\n| --- | ---: | --- |\n'
        for l_1_m in (undefined(name='key_modules') if l_0_key_modules is missing else l_0_key_modules):
            _loop_vars = {}
            pass
            yield '| ['
            yield str(t_2(environment.getattr(l_1_m, 'name')))
            yield ']('
            yield str(environment.getattr(l_1_m, 'link'))
            yield ') | '
            yield str(environment.getattr(l_1_m, 'importers'))
            yield ' | '
            yield str(t_4(environment.getattr(l_1_m, 'summary')))
            yield ' |\n'
        l_1_m = missing
    if (undefined(name='api') if l_0_api is missing else l_0_api):
        pass
        yield '\n## Public API\n\n| Name | Kind | File | Summary |\n| --- | --- | --- | --- |\n'
        for l_1_a in (undefined(name='api') if l_0_api is missing else l_0_api):
            _loop_vars = {}
            pass
            yield '| '
            if environment.getattr(l_1_a, 'link'):
                pass
                yield '['
                yield str(t_2(environment.getattr(l_1_a, 'name')))
                yield ']('
                yield str(environment.getattr(l_1_a, 'link'))
                yield ')'
            else:
                pass
                yield str(t_2(environment.getattr(l_1_a, 'name')))
            yield ' | '
            yield str(t_4(environment.getattr(l_1_a, 'kind')))
            yield ' | '
            if environment.getattr(l_1_a, 'file_link'):
                pass
                yield '['
                yield str(t_2(environment.getattr(l_1_a, 'file')))
                yield ']('
                yield str(environment.getattr(l_1_a, 'file_link'))
                yield ')'
            yield ' | '
            yield str(t_4(environment.getattr(l_1_a, 'summary')))
            yield ' |\n'
        l_1_a = missing
        if (undefined(name='api_more') if l_0_api_more is missing else l_0_api_more):
            pass
            yield '\nAnd '
            yield str((undefined(name='api_more') if l_0_api_more is missing else l_0_api_more))
            yield ' more.\n'
    if (undefined(name='diagram') if l_0_diagram is missing else l_0_diagram):
        pass
        yield '\n## Internal imports\n\n```mermaid\n'
        yield str(environment.getattr((undefined(name='diagram') if l_0_diagram is missing else l_0_diagram), 'diagram'))
        yield '\n```\n'
        if environment.getattr((undefined(name='diagram') if l_0_diagram is missing else l_0_diagram), 'grouped'):
            pass
            yield '\nDrawn by subpackage: each node ending in `/` is the modules of that subfolder together ('
            yield str(environment.getattr((undefined(name='diagram') if l_0_diagram is missing else l_0_diagram), 'grouped'))
            yield ' modules in all).\n'
        if environment.getattr((undefined(name='diagram') if l_0_diagram is missing else l_0_diagram), 'hidden_modules'):
            pass
            yield '\n'
            yield str(environment.getattr((undefined(name='diagram') if l_0_diagram is missing else l_0_diagram), 'hidden_modules'))
            yield ' more '
            yield str(('module' if (environment.getattr((undefined(name='diagram') if l_0_diagram is missing else l_0_diagram), 'hidden_modules') == 1) else 'modules'))
            yield ' not shown.\n'
        if environment.getattr((undefined(name='diagram') if l_0_diagram is missing else l_0_diagram), 'hidden_edges'):
            pass
            yield '\n'
            yield str(environment.getattr((undefined(name='diagram') if l_0_diagram is missing else l_0_diagram), 'hidden_edges'))
            yield ' more '
            yield str(('import' if (environment.getattr((undefined(name='diagram') if l_0_diagram is missing else l_0_diagram), 'hidden_edges') == 1) else 'imports'))
            yield ' between the modules shown not drawn.\n'
    if (undefined(name='dependencies') if l_0_dependencies is missing else l_0_dependencies):
        pass
        yield '\n## External dependencies\n'
        for l_1_group in (undefined(name='dependencies') if l_0_dependencies is missing else l_0_dependencies):
            _loop_vars = {}
            pass
            yield '\n### '
            yield str(t_4(t_1(environment.getattr(l_1_group, 'category'))))
            yield '\n\n| Module | Files |\n| --- | ---: |\n'
            for (l_2_module, l_2_count) in environment.getattr(l_1_group, 'modules'):
                _loop_vars = {}
                pass
                yield '| '
                yield str(t_3(l_2_module))
                yield ' | '
                yield str(l_2_count)
                yield ' |\n'
            l_2_module = l_2_count = missing
        l_1_group = missing

blocks = {}
debug_info = '1=48&3=51&5=62&9=65&11=67&13=71&17=74&21=78&22=82&25=89&33=92&34=96&37=105&43=108&44=112&46=136&48=139&51=141&56=144&58=146&60=149&62=151&64=154&66=158&68=161&71=165&74=168&76=172&80=174&81=178'